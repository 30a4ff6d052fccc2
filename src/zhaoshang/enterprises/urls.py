from django.urls import path

from zhaoshang.enterprises import views

urlpatterns = [
    path(
        "enterprise/<int:pk>/override/<str:field>/", views.OverrideView.as_view(), name="enterprise_override"
    ),
    path("enterprise/<int:pk>/classify/", views.ClassifyView.as_view(), name="enterprise_classify"),
    path(
        "enterprise/<int:pk>/placement/<int:node>/",
        views.PlacementView.as_view(),
        name="enterprise_placement",
    ),
]
