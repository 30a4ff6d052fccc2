from django.urls import path

from zhaoshang.industries import views

urlpatterns = [
    path("industries/", views.industry_browser, name="industry_browser"),
    path("api/industries/", views.industry_api, name="industry_api"),
]
