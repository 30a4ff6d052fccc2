from django.urls import path

from zhaoshang.assessment import pages

urlpatterns = [
    path("district/<int:pk>/settings/", pages.DistrictSettingsView.as_view(), name="district_settings"),
]
