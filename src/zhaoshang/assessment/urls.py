from django.urls import path

from zhaoshang.assessment import dashboard, views

urlpatterns = [
    path("district/<int:pk>/settings/", views.DistrictSettingsView.as_view(), name="district_settings"),
    path("assessment/", dashboard.LeaderDashboardView.as_view(), name="assessment_dashboard"),
    path("assessment/city/", dashboard.CityView.as_view(), name="assessment_city"),
    path("assessment/drill/", dashboard.DrillView.as_view(), name="assessment_drill"),
    path("assessment/target/<int:pk>/", dashboard.TargetDrillView.as_view(), name="assessment_target"),
    path("assessment/forecast/", dashboard.ForecastView.as_view(), name="assessment_forecast"),
    path("assessment/rankings/", dashboard.RankingsView.as_view(), name="assessment_rankings"),
    path("assessment/rates/", dashboard.RatesView.as_view(), name="assessment_rates"),
    path("assessment/scheme/", views.SchemeView.as_view(), name="assessment_scheme"),
]
