from django.urls import path

from zhaoshang.enterprises import pages

urlpatterns = [
    path(
        "enterprise/<int:pk>/override/<str:field>/", pages.OverrideView.as_view(), name="enterprise_override"
    ),
    path("enterprise/<int:pk>/classify/", pages.ClassifyView.as_view(), name="enterprise_classify"),
    path(
        "enterprise/<int:pk>/placement/<int:node>/",
        pages.PlacementView.as_view(),
        name="enterprise_placement",
    ),
]
