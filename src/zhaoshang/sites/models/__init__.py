"""The factor guarantee map's records (DOMAIN.md §7): the sites and their units, and the demand side."""

from zhaoshang.sites.models.demands import Demand, SiteReservation
from zhaoshang.sites.models.sites import LAND_USES, Kind, Site, SiteUnit, Tenure, site_area_m2

__all__ = [
    "LAND_USES",
    "Demand",
    "Kind",
    "Site",
    "SiteReservation",
    "SiteUnit",
    "Tenure",
    "site_area_m2",
]
