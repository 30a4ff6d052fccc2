from django.urls import path

from zhaoshang.core.declarations import config_for_key
from zhaoshang.sites import views

UNIT = config_for_key("siteunit")

urlpatterns = [
    path("sites/map/", views.SiteMapView.as_view(), name="sites_map"),
    path("sites/map/data/", views.SiteMapDataView.as_view(), name="sites_map_data"),
    path("sites/map/shapes/", views.SiteMapShapesView.as_view(), name="sites_map_shapes"),
    path("sites/stale/", views.StaleSitesView.as_view(), name="sites_stale"),
    path("sites/assign/", views.BatchAssignView.as_view(), name="sites_assign"),
    path("sites/import/", views.GeoImportView.as_view(), name="sites_import"),
    path("sites/import/<int:pk>/", views.GeoImportJobView.as_view(), name="sites_import_job"),
    path("sites/project/<int:pk>/", views.ProjectSitesView.as_view(), name="sites_project"),
    path("site/<int:pk>/verify/", views.SiteVerifyView.as_view(), name="site_verify"),
    path("site/<int:pk>/reserve/", views.SiteReserveView.as_view(), name="site_reserve"),
    path("site/<int:pk>/release/", views.SiteReleaseView.as_view(), name="site_release"),
    # Ahead of the generic routes (same paths): a unit's building follows its deletion and restoration.
    path("siteunit/<int:pk>/delete/", views.SiteUnitDeleteView.as_view(config=UNIT)),
    path("siteunit/deleted/<int:history_id>/restore/", views.SiteUnitRestoreView.as_view(config=UNIT)),
]
