"""Find sites, reserve and release, project termination, batch assignment, freshness."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from zhaoshang.analytics.matching.engine import Demand as EngineDemand
from zhaoshang.analytics.matching.engine import MatchOptions, SiteTable, match
from zhaoshang.analytics.matching.engine import Site as EngineSite
from zhaoshang.core.factories import ParkFactory
from zhaoshang.core.models import District, Park
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.sites.factories import BuildingFactory, DemandFactory, SiteFactory
from zhaoshang.sites.models import Demand, Site, SiteReservation
from zhaoshang.sites.selectors import demand_find_sites, district_batch_assignment, site_is_stale, stale_sites
from zhaoshang.sites.services import site_release, site_reserve, site_verify, sites_release_for_project

PARCELS = [
    # code, lng, lat, 亩, land use, power, price, chemical park
    ("Z-1", 118.05, 36.80, 50, "M3", 4000, 24, True),
    ("Z-2", 118.09, 36.83, 45, "M2", 1500, 22, False),
    ("Z-3", 118.02, 36.79, 58, "M2", 3000, 28, False),
    ("Z-4", 118.06, 36.81, 41, "M1", 9000, 35, False),
    ("Z-5", 118.04, 36.78, 70, "M2", 5000, 20, False),  # too large
    ("Z-6", 118.07, 36.82, 52, "M2", 2000, 29, False),
]


@pytest.fixture
def zhangdian(org: Any) -> dict[str, Any]:
    district = District.objects.get(adcode="370303")
    chem = ParkFactory(district=district, name="张店化工园(测试)", is_chemical_park=True)
    plain = ParkFactory(district=district, name="张店产业园(测试)")
    sites = {
        code: SiteFactory(
            district=district,
            code=code,
            name=f"地块{code}",
            lng=lng,
            lat=lat,
            area_mu=mu,
            land_use=use,
            power_kva=power,
            land_price=price,
            park=chem if chemical else plain,
        )
        for code, lng, lat, mu, use, power, price, chemical in PARCELS
    }
    return {"district": district, "sites": sites, "plain": plain, "chem": chem}


def test_find_sites_ranks_as_the_pure_engine(zhangdian: Any) -> None:
    demand = DemandFactory(
        district=zhangdian["district"],
        min_area=40,
        max_area=60,
        land_use=["M"],
        power_kva=1000,
        max_price=30,
        lng=118.05,
        lat=36.80,
        preferred_park=zhangdian["plain"],
    )
    found = demand_find_sites(demand=demand, top=0, near=0, today=datetime.date(2026, 1, 1))
    engine_sites = [
        EngineSite(
            id=code,
            kind="parcel",
            location=(lng, lat),
            area_mu=mu,
            land_use=use,
            power_kva=power,
            price=price,
            chemical_park=chemical,
            park="张店化工园(测试)" if chemical else "张店产业园(测试)",
        )
        for code, lng, lat, mu, use, power, price, chemical in PARCELS
    ]
    engine_demand = EngineDemand(
        id="d",
        kind="parcel",
        min_area=40,
        max_area=60,
        land_use=("M",),
        power_kva=1000,
        max_price=30,
        location=(118.05, 36.80),
        preferred_park=("张店产业园(测试)",),
    )
    expected = match(
        SiteTable(engine_sites),
        engine_demand,
        top=0,
        near=0,
        options=MatchOptions(today=datetime.date(2026, 1, 1)),
    )
    assert [s.code for s, _c in found.candidates] == [c.site_id for c in expected.candidates]
    assert [c.score for _s, c in found.candidates] == pytest.approx([c.score for c in expected.candidates])
    assert [s.code for s, _n in found.near_misses] == [n.site_id for n in expected.near_misses]
    assert "Z-5" in [s.code for s, _n in found.near_misses]
    assert found.result.feasible == expected.feasible == 4  # Z-4 is too dear, Z-5 too large


def test_demand_page_shows_ranked_cards_reasons_and_near_misses(zhangdian: Any, client_for: Any) -> None:
    demand = DemandFactory(
        district=zhangdian["district"],
        name="测试找场地",
        min_area=40,
        max_area=60,
        land_use=["M2"],
        power_kva=2500,
        lng=118.05,
        lat=36.80,
    )
    response = client_for("city_admin").get(f"/demand/{demand.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("地块Z-3") < html.index("地块Z-6") or "地块Z-3" in html
    assert "电力余量" in html and 'id="near-misses"' in html
    assert client_for("huantai_admin").get(f"/demand/{demand.pk}/").status_code == 404


def test_reserve_and_release_are_audited_and_scoped(zhangdian: Any, users: Any, client_for: Any) -> None:
    site = zhangdian["sites"]["Z-2"]
    project = ProjectFactory(district=zhangdian["district"], name="张店测试项目")
    demand = DemandFactory(district=zhangdian["district"], project=project)
    city = users["city_admin"]
    with pytest.raises(Http404):
        site_reserve(site=site, user=users["huantai_admin"], demand=demand)
    reservation = site_reserve(site=site, user=city, demand=demand, channel="web")
    site.refresh_from_db()
    demand.refresh_from_db()
    assert site.availability == "reserved" and demand.status == "matched"
    assert reservation.project == project and reservation.by == city
    latest = site.history.first()
    assert latest.history_user == city and latest.history_change_reason == "web"
    assert latest.diff_against(latest.prev_record).changed_fields == ["availability"]
    with pytest.raises(ValidationError):
        site_reserve(site=site, user=city)
    with pytest.raises(Http404):
        site_release(site=site, user=users["huantai_admin"])
    assert site_release(site=site, user=city, reason="投资方放弃") == 1
    site.refresh_from_db()
    demand.refresh_from_db()
    reservation.refresh_from_db()
    assert site.availability == "available" and demand.status == "open"
    assert reservation.released_at is not None and reservation.release_reason == "投资方放弃"
    assert site.history.first().history_user == city


def test_reserve_and_release_pages(org: Any, client_for: Any, users: Any) -> None:
    site = SiteFactory(district=org["linzi_district"], code="PG-1", name="页面预留")
    client = client_for("linzi_admin")
    assert client.post(f"/site/{site.pk}/reserve/").status_code == 302
    site.refresh_from_db()
    assert site.availability == "reserved"
    assert site.history.first().history_change_reason == "web"
    assert client_for("huantai_admin").post(f"/site/{site.pk}/release/").status_code == 404
    assert client.post(f"/site/{site.pk}/release/", {"reason": "测试"}).status_code == 302
    site.refresh_from_db()
    assert site.availability == "available"
    page = client.get(f"/site/{site.pk}/").content.decode()
    assert 'id="site-reserve"' in page and "测试" in page


@pytest.mark.usefixtures("as_test_actor")
def test_terminated_project_releases_its_sites(zhangdian: Any, users: Any) -> None:
    project = ProjectFactory(district=zhangdian["district"], name="将终止的项目")
    other = ProjectFactory(district=zhangdian["district"], name="继续推进的项目")
    city = users["city_admin"]
    site_reserve(site=zhangdian["sites"]["Z-1"], user=city, project=project)
    site_reserve(
        site=zhangdian["sites"]["Z-3"],
        user=city,
        demand=DemandFactory(district=zhangdian["district"], project=project),
    )
    site_reserve(site=zhangdian["sites"]["Z-4"], user=city, project=other)
    project.status, project.status_reason = "terminated", "投资方撤资"
    project.save()
    assert sites_release_for_project(project=project, user=city) == 2
    statuses = {code: Site.objects.get(pk=s.pk).availability for code, s in zhangdian["sites"].items()}
    assert statuses["Z-1"] == statuses["Z-3"] == "available" and statuses["Z-4"] == "reserved"
    released = SiteReservation.objects.filter(project=project)
    assert all(r.released_at and r.release_reason == "项目终止" for r in released)
    assert sites_release_for_project(project=project, user=city) == 0


def test_batch_assignment_beats_or_ties_greedy(zhangdian: Any, users: Any, client_for: Any) -> None:
    district = zhangdian["district"]
    # The chemical demand can only use Z-1, which greedy gives away to the first demand.
    DemandFactory(
        district=district,
        name="先来的需求",
        min_area=40,
        max_area=60,
        land_use=["M"],
        power_kva=1000,
        max_price=30,
        lng=118.05,
        lat=36.80,
    )
    DemandFactory(
        district=district,
        name="化工需求",
        min_area=40,
        max_area=60,
        land_use=["M3"],
        chemical=True,
        power_kva=2000,
        max_price=30,
        lng=118.05,
        lat=36.80,
    )
    batch = district_batch_assignment(
        user=users["city_admin"], district=district, today=datetime.date(2026, 1, 1)
    )
    result = batch.result
    assert result.total_score >= result.greedy_total_score
    by_name = {row["demand"].name: row for row in batch.rows()}
    assert by_name["化工需求"]["site"].code == "Z-1"
    assert by_name["先来的需求"]["greedy_site"].code == "Z-1" and by_name["化工需求"]["greedy_site"] is None
    client = client_for("city_admin")
    page = client.get(f"/sites/assign/?district={district.pk}")
    assert page.status_code == 200 and 'id="optimal-total"' in page.content.decode()
    assert client.post("/sites/assign/", {"district": district.pk}).status_code == 302
    assert Demand.objects.filter(district=district, status="matched").count() == 2
    assert client_for("huantai_admin").get(f"/sites/assign/?district={district.pk}").status_code == 404


@pytest.mark.usefixtures("as_test_actor")
def test_freshness_flags_per_district_setting_and_verification(
    zhangdian: Any, users: Any, client_for: Any
) -> None:
    district = zhangdian["district"]
    today = timezone.localdate()
    old = zhangdian["sites"]["Z-1"]
    Site.objects.filter(pk=old.pk).update(
        verified_on=today - datetime.timedelta(days=200), data_owner=users["linzi_clerk"]
    )
    Site.objects.filter(pk=zhangdian["sites"]["Z-2"].pk).update(
        verified_on=today - datetime.timedelta(days=100)
    )
    Site.objects.filter(pk=zhangdian["sites"]["Z-3"].pk).update(verified_on=None)
    old.refresh_from_db()
    assert site_is_stale(old)
    stale = set(stale_sites(users["city_admin"]).filter(district=district).values_list("code", flat=True))
    assert stale == {"Z-1", "Z-3"}
    district.settings = {**district.settings, "site_stale_days": 90}
    district.save()
    stale = set(stale_sites(users["city_admin"]).filter(district=district).values_list("code", flat=True))
    assert stale == {"Z-1", "Z-2", "Z-3"}
    page = client_for("city_admin").get(
        f"/sites/stale/?owner={users['linzi_clerk'].pk}&district={district.pk}"
    )
    assert page.status_code == 200 and "地块Z-1" in page.content.decode()
    assert any(o["owner_id"] == users["linzi_clerk"].pk for o in page.context["owners"])
    assert "site-stale" in client_for("city_admin").get(f"/site/{old.pk}/").content.decode()
    with pytest.raises(Http404):
        site_verify(site=old, user=users["huantai_admin"])
    response = client_for("city_admin").post(f"/site/{old.pk}/verify/", {"next": "/sites/stale/"})
    assert response.status_code == 302 and response["Location"] == "/sites/stale/"
    old.refresh_from_db()
    assert old.verified_on == today and not site_is_stale(old)
    entry = old.history.first()
    assert entry.history_user == users["city_admin"] and entry.history_change_reason == "web"
    assert entry.history_type == "~" and entry.verified_on == today
    json = client_for("city_admin").get(f"/sites/map/data/?district={district.pk}&stale=true").json()
    assert {f["properties"]["code"] for f in json["features"]} == {"Z-2", "Z-3"}


def test_demands_on_a_project_and_validation(zhangdian: Any, users: Any, client_for: Any) -> None:
    from zhaoshang.sites.services import demand_for_project

    project = ProjectFactory(district=zhangdian["district"], name="需求所属项目")
    demand = demand_for_project(
        project=project, user=users["city_admin"], name="项目用地", kind="parcel", min_area=10, max_area=20
    )
    assert demand.district == project.district and demand.history.get().history_user == users["city_admin"]
    page = client_for("city_admin").get(f"/sites/project/{project.pk}/")
    assert page.status_code == 200 and "项目用地" in page.content.decode()
    assert client_for("huantai_admin").get(f"/sites/project/{project.pk}/").status_code == 404
    with pytest.raises(ValidationError) as caught:
        Demand(district=zhangdian["district"], name="x", kind="parcel", min_area=30, max_area=10).full_clean()
    assert "min_area" in caught.value.message_dict
    other = Park.objects.get(name="临淄经济开发区")
    with pytest.raises(ValidationError):
        SiteFactory(district=zhangdian["district"], park=other)
    with pytest.raises(ValidationError):
        BuildingFactory(district=zhangdian["district"], floor_area_m2=None)
