from django.urls import path

from zhaoshang.core.registry import config_for_key
from zhaoshang.sites import pages

UNIT = config_for_key("siteunit")

urlpatterns = [
    path("sites/map/", pages.SiteMapView.as_view(), name="sites_map"),
    path("sites/map/data/", pages.SiteMapDataView.as_view(), name="sites_map_data"),
    path("sites/map/shapes/", pages.SiteMapShapesView.as_view(), name="sites_map_shapes"),
    path("sites/stale/", pages.StaleSitesView.as_view(), name="sites_stale"),
    path("sites/assign/", pages.BatchAssignView.as_view(), name="sites_assign"),
    path("sites/import/", pages.GeoImportView.as_view(), name="sites_import"),
    path("sites/import/<int:pk>/", pages.GeoImportJobView.as_view(), name="sites_import_job"),
    path("sites/project/<int:pk>/", pages.ProjectSitesView.as_view(), name="sites_project"),
    path("site/<int:pk>/verify/", pages.SiteVerifyView.as_view(), name="site_verify"),
    path("site/<int:pk>/reserve/", pages.SiteReserveView.as_view(), name="site_reserve"),
    path("site/<int:pk>/release/", pages.SiteReleaseView.as_view(), name="site_release"),
    # Ahead of the generic routes (same paths): a unit's building follows its deletion and restoration.
    path("siteunit/<int:pk>/delete/", pages.SiteUnitDeleteView.as_view(config=UNIT)),
    path("siteunit/deleted/<int:history_id>/restore/", pages.SiteUnitRestoreView.as_view(config=UNIT)),
]
