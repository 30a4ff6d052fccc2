from __future__ import annotations

import datetime

import factory

from zhaoshang.core.factories import AuditedFactory, DistrictFactory
from zhaoshang.sites.models import Demand, Kind, Site, SiteReservation, SiteUnit


class SiteFactory(AuditedFactory):
    class Meta:
        model = Site

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"T-{n:05d}")
    name = factory.Sequence(lambda n: f"示例地块{n}")
    kind = Kind.PARCEL
    lng = 118.31
    lat = 36.82
    geometry = factory.LazyAttribute(lambda o: {"type": "Point", "coordinates": [o.lng, o.lat]})
    area_mu = 50
    land_use = "M2"
    power_kva = 2000
    land_price = 25
    verified_on = factory.LazyFunction(datetime.date.today)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        site = model_class(*args, **kwargs)
        site.full_clean()  # fills lng/lat and the matched area as a save through the pages would
        site.save()
        return site


class BuildingFactory(SiteFactory):
    kind = Kind.BUILDING
    name = factory.Sequence(lambda n: f"示例厂房{n}")
    area_mu = None
    floor_area_m2 = 6000
    land_use = "M1"
    land_price = None
    rent = 12
    clear_height_m = 9
    floor_load_kn = 30


class CourtyardFactory(SiteFactory):
    kind = Kind.COURTYARD
    name = factory.Sequence(lambda n: f"示例院落{n}")
    area_mu = None
    land_area_m2 = 400
    floor_area_m2 = 180
    land_use = ""
    land_price = None
    rent = 3
    power_kva = 50


class SiteUnitFactory(AuditedFactory):
    class Meta:
        model = SiteUnit

    site = factory.SubFactory(BuildingFactory, divisible=True)
    name = factory.Sequence(lambda n: f"{n + 1}号单元")
    area_m2 = 1500


class DemandFactory(AuditedFactory):
    class Meta:
        model = Demand

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例用地需求{n}")
    kind = Kind.PARCEL
    min_area = 40
    max_area = 60
    land_use = ["M"]
    power_kva = 1000


class SiteReservationFactory(AuditedFactory):
    class Meta:
        model = SiteReservation

    site = factory.SubFactory(SiteFactory, availability=Site.Availability.RESERVED)
    reserved_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
