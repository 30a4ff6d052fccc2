from django.urls import path

from zhaoshang.assessment.views import configuration, dashboards, reporting, tables

urlpatterns = [
    path(
        "district/<int:pk>/settings/", configuration.DistrictSettingsView.as_view(), name="district_settings"
    ),
    path("assessment/", dashboards.LeaderDashboardView.as_view(), name="assessment_dashboard"),
    path("assessment/city/", dashboards.CityView.as_view(), name="assessment_city"),
    path("assessment/drill/", dashboards.DrillView.as_view(), name="assessment_drill"),
    path("assessment/target/<int:pk>/", dashboards.TargetDrillView.as_view(), name="assessment_target"),
    path("assessment/forecast/", dashboards.ForecastView.as_view(), name="assessment_forecast"),
    path("assessment/rankings/", tables.RankingsView.as_view(), name="assessment_rankings"),
    path("assessment/rates/", tables.RatesView.as_view(), name="assessment_rates"),
    path(
        "assessment/rates/definitions/",
        tables.RateDefinitionsView.as_view(),
        name="assessment_rate_definitions",
    ),
    path("assessment/scheme/", configuration.SchemeView.as_view(), name="assessment_scheme"),
    path("assessment/reporting/", reporting.ReportingView.as_view(), name="assessment_reporting"),
]
