"""Units of a divided building and the building that follows them (docs/factor-map.md, "Units and their
building"): the rule, the services on every page that writes units, the reverse rule, audit and scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.services import object_delete
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.sites.factories import BuildingFactory, DemandFactory, SiteReservationFactory
from zhaoshang.sites.models import Demand, Site, SiteReservation, SiteUnit
from zhaoshang.sites.resources import SiteUnitResource
from zhaoshang.sites.selectors import demand_find_sites
from zhaoshang.sites.services import (
    site_release,
    site_reserve,
    site_unit_save,
    sites_release_for_project,
)
from zhaoshang.sites.units import units_rollup

STATUSES = ["available", "reserved", "occupied", "unavailable"]


# --- the rule -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ([], None),
        ([("available", 1000), ("occupied", 2000)], ("available", 1000.0)),
        ([("reserved", 1000), ("occupied", 2000)], ("reserved", 0.0)),
        ([("occupied", 1000), ("unavailable", 2000)], ("occupied", 0.0)),
        ([("unavailable", 1000)], ("unavailable", 0.0)),
        ([("available", Decimal("1200.50")), ("available", Decimal("800.25"))], ("available", 2000.75)),
    ],
)
def test_rollup(units: list[tuple[str, Any]], expected: Any) -> None:
    assert units_rollup(units) == expected


@given(st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(1, 10_000)), min_size=1, max_size=30))
def test_rollup_properties(units: list[tuple[str, int]]) -> None:
    status, area = units_rollup(units)  # type: ignore[misc]
    assert area == sum(a for s, a in units if s == "available")
    assert (status == "available") == any(s == "available" for s, _ in units)
    assert status == min((s for s, _ in units), key=STATUSES.index)


# --- the building follows its units --------------------------------------------------------------------------


@pytest.fixture
def hall(org: Any) -> Site:
    """A Linzi standard factory of 6,000 m², split into three units of 1,000, 2,000 and 3,000 m²."""
    building = BuildingFactory(
        district=org["linzi_district"], code="U-1", name="单元测试厂房", floor_area_m2=6000, divisible=True
    )
    for name, area in (("A", 1000), ("B", 2000), ("C", 3000)):
        unit = SiteUnit(site=building, name=name, area_m2=area)
        site_unit_save(instance=unit, user=org["users"]["linzi_admin"], channel="web")
    assert _state(building) == ("available", 6000.0)
    return building


def _unit(site: Site, name: str) -> SiteUnit:
    return SiteUnit.objects.get(site=site, name=name)


def _state(site: Site) -> tuple[str, float | None]:
    site.refresh_from_db()
    return site.availability, site.available_area_m2


def _unit_form(unit: SiteUnit, **changes: Any) -> dict[str, Any]:
    data = {
        "site": unit.site_id,
        "name": unit.name,
        "floor": unit.floor or "",
        "area_m2": str(unit.area_m2),
        "availability": unit.availability,
        "notes": unit.notes,
    }
    return {**data, **changes}


def test_unit_pages_move_the_building(org: Any, client_for: Any, hall: Site) -> None:
    client = client_for("linzi_admin")
    response = client.post("/siteunit/add/", _unit_form(_unit(hall, "A"), name="D", area_m2="500"))
    assert response.status_code == 302
    assert _state(hall) == ("available", 6500.0)
    for name in ("A", "B", "D"):
        unit = _unit(hall, name)
        assert (
            client.post(f"/siteunit/{unit.pk}/edit/", _unit_form(unit, availability="occupied")).status_code
            == 302
        )
    assert _state(hall) == ("available", 3000.0)  # one unit still free: still on offer, for its area
    unit = _unit(hall, "C")
    client.post(f"/siteunit/{unit.pk}/edit/", _unit_form(unit, availability="occupied"))
    assert _state(hall) == ("occupied", 0.0)
    # Audited like every write: the building's change is attributed to the user, on the web channel.
    last = hall.history.first()
    assert last.availability == "occupied" and last.history_user == org["users"]["linzi_admin"]
    assert last.history_change_reason == "web"
    # A tenant leaves: the building is offered again, for that unit.
    client.post(f"/siteunit/{unit.pk}/edit/", _unit_form(unit, availability="available", area_m2="2800"))
    assert _state(hall) == ("available", 2800.0)


def test_deleting_and_restoring_a_unit(org: Any, client_for: Any, hall: Site) -> None:
    client = client_for("linzi_admin")
    unit = _unit(hall, "C")
    assert client.post(f"/siteunit/{unit.pk}/delete/").status_code == 302
    assert not SiteUnit.objects.filter(pk=unit.pk).exists()
    assert _state(hall) == ("available", 3000.0)
    record = SiteUnit.history.filter(id=unit.pk, history_type="-").get()
    assert client.post(f"/siteunit/deleted/{record.history_id}/restore/").status_code == 302
    assert _state(hall) == ("available", 6000.0)
    # The last unit gone: the building keeps its own status and offers its whole floor area again.
    for unit in hall.units.all():
        client.post(f"/siteunit/{unit.pk}/delete/")
    assert _state(hall) == ("available", None)


def test_a_reserved_unit_cannot_be_deleted(org: Any, client_for: Any, hall: Site) -> None:
    unit = _unit(hall, "A")
    site_reserve(site=hall, unit=unit, user=org["users"]["linzi_admin"])
    response = client_for("linzi_admin").post(f"/siteunit/{unit.pk}/delete/", follow=True)
    assert "仍有预留" in response.content.decode()
    assert SiteUnit.objects.filter(pk=unit.pk).exists()


def test_reserving_one_unit(org: Any, hall: Site) -> None:
    admin = org["users"]["linzi_admin"]
    demand = DemandFactory(district=hall.district, kind="building", min_area=800, max_area=1200)
    reservation = site_reserve(site=hall, unit=_unit(hall, "A"), demand=demand, user=admin)
    assert reservation.unit == _unit(hall, "A") and _unit(hall, "A").availability == "reserved"
    assert _state(hall) == ("available", 5000.0)
    demand.refresh_from_db()
    assert demand.status == Demand.Status.MATCHED
    with pytest.raises(ValidationError):
        site_reserve(site=hall, unit=_unit(hall, "A"), user=admin)  # already held
    other = BuildingFactory(district=hall.district, code="U-2")
    with pytest.raises(ValidationError):
        site_reserve(site=other, unit=_unit(hall, "B"), user=admin)  # not this building's unit
    assert site_release(site=hall, unit=_unit(hall, "B"), user=admin) == 0
    assert site_release(site=hall, unit=_unit(hall, "A"), user=admin, reason="客户改选") == 1
    assert _unit(hall, "A").availability == "available" and _state(hall) == ("available", 6000.0)
    demand.refresh_from_db()
    assert demand.status == Demand.Status.OPEN


def test_reserving_the_whole_building_holds_what_is_free(org: Any, client_for: Any, hall: Site) -> None:
    """The reverse rule: "reserve the building" holds every unit still free, one reservation each."""
    admin = org["users"]["linzi_admin"]
    client = client_for("linzi_admin")
    unit = _unit(hall, "C")
    client.post(f"/siteunit/{unit.pk}/edit/", _unit_form(unit, availability="occupied"))
    project = ProjectFactory(district=hall.district)
    site_reserve(site=hall, project=project, user=admin, note="整栋")
    held = SiteReservation.objects.filter(site=hall, released_at=None)
    assert sorted(r.unit.name for r in held) == ["A", "B"] and {r.project for r in held} == {project}
    assert _unit(hall, "C").availability == "occupied"
    assert _state(hall) == ("reserved", 0.0)
    with pytest.raises(ValidationError):
        site_reserve(site=hall, user=admin)  # nothing free any more
    # A unit added now is free, so the building is on offer again for it.
    client.post("/siteunit/add/", _unit_form(unit, name="D", area_m2="400", availability="available"))
    assert _state(hall) == ("available", 400.0)
    # The project ends: what it held is free again; the let unit stays let.
    assert sites_release_for_project(project=project, user=admin) == 2
    assert {u.name: u.availability for u in hall.units.all()} == {
        "A": "available",
        "B": "available",
        "C": "occupied",
        "D": "available",
    }
    assert _state(hall) == ("available", 3400.0)


def test_the_page_actions_reserve_and_release_units(org: Any, client_for: Any, hall: Site) -> None:
    client = client_for("linzi_admin")
    unit = _unit(hall, "B")
    page = client.get(f"/site/{hall.pk}/").content.decode().replace(",", "")
    assert 'id="site-units"' in page and "6000 / 6000 m²" in page
    assert client.post(f"/site/{hall.pk}/reserve/", {"unit": unit.pk}).status_code == 302
    assert _unit(hall, "B").availability == "reserved" and _state(hall) == ("available", 4000.0)
    page = client.get(f"/site/{hall.pk}/").content.decode().replace(",", "")
    assert "4000 / 6000 m²" in page
    assert client.post(f"/site/{hall.pk}/release/", {"unit": unit.pk}).status_code == 302
    assert _state(hall) == ("available", 6000.0)
    # Another district's user gets 404 for the building and its units.
    outsider = client_for("huantai_admin")
    assert outsider.post(f"/site/{hall.pk}/reserve/", {"unit": unit.pk}).status_code == 404
    assert outsider.post(f"/siteunit/{unit.pk}/delete/").status_code == 404
    assert _unit(hall, "B").availability == "available"


def test_held_units_and_divided_buildings_refuse_hand_edits(org: Any, client_for: Any, hall: Site) -> None:
    admin = org["users"]["linzi_admin"]
    client = client_for("linzi_admin")
    unit = _unit(hall, "A")
    site_reserve(site=hall, unit=unit, user=admin)
    unit.refresh_from_db()
    response = client.post(f"/siteunit/{unit.pk}/edit/", _unit_form(unit, availability="available"))
    assert response.status_code == 400 and "释放" in response.content.decode()
    # A tenant moving into a held unit is fine: the reservation stays as the record of who held it.
    client.post(f"/siteunit/{unit.pk}/edit/", _unit_form(unit, availability="occupied"))
    assert _unit(hall, "A").availability == "occupied"
    assert site_release(site=hall, user=admin) == 1
    assert _unit(hall, "A").availability == "occupied"  # let meanwhile: stays let
    # The building's own status is its units' sum: the form shows it but does not take it.
    form = client.get(f"/site/{hall.pk}/edit/").context["form"]
    assert form.fields["availability"].disabled


def test_no_units_under_a_building_held_as_a_whole(org: Any, hall: Site) -> None:
    """A reservation from before the building was divided holds all of it: no new units until it ends."""
    building = BuildingFactory(district=hall.district, code="U-3", availability="reserved")
    SiteReservationFactory(site=building)
    with pytest.raises(ValidationError):
        site_unit_save(
            instance=SiteUnit(site=building, name="A", area_m2=100), user=org["users"]["linzi_admin"]
        )


def test_importing_units_moves_the_building(org: Any, hall: Site) -> None:
    csv = "区县代码,资源编号,单元,面积(m²),可用状态\n370305,U-1,A,1000,已占用\n370305,U-1,E,700,可用\n"
    dataset = read_table("units.csv", csv.encode())
    user = org["users"]["linzi_admin"]
    report = import_run(resource=SiteUnitResource(user=user), dataset=dataset, user=user, dry_run=False)
    assert report.committed, report.issues
    assert _state(hall) == ("available", 5700.0)
    assert hall.history.first().history_change_reason == "import"


def test_matching_offers_what_is_free(org: Any, client_for: Any, hall: Site) -> None:
    demand = DemandFactory(
        district=hall.district, kind="building", min_area=4500, max_area=6500, land_use=["M"], power_kva=0
    )
    assert hall.pk in {s.pk for s, _ in demand_find_sites(demand=demand).candidates}
    unit = _unit(hall, "C")
    client_for("linzi_admin").post(f"/siteunit/{unit.pk}/edit/", _unit_form(unit, availability="occupied"))
    found = demand_find_sites(demand=demand)
    assert hall.pk not in {s.pk for s, _ in found.candidates}  # 3,000 m² free is too small now


def test_a_divided_building_can_still_be_deleted(org: Any, hall: Site) -> None:
    admin = org["users"]["linzi_admin"]
    site_reserve(site=hall, unit=_unit(hall, "A"), user=admin)
    site_release(site=hall, user=admin)
    object_delete(instance=hall, user=admin)
    assert not SiteUnit.objects.filter(site_id=hall.pk).exists()
    assert not Site.objects.filter(pk=hall.pk).exists()


def test_the_api_moves_the_building_and_holds_sites_like_the_pages(org: Any, hall: Site) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(org["users"]["linzi_admin"])
    created = api.post("/api/siteunit/", {"site": hall.pk, "name": "D", "area_m2": "500"}, format="json")
    assert created.status_code == 201, created.content
    assert _state(hall) == ("available", 6500.0)
    unit = SiteUnit.objects.get(pk=created.data["id"])
    last = hall.history.first()  # the building's change is the API user's, on the API channel
    assert (last.history_user, last.history_change_reason) == (org["users"]["linzi_admin"], "api")
    project = ProjectFactory(district=org["linzi_district"])
    held = api.post(
        "/api/sitereservation/",
        {"site": hall.pk, "unit": unit.pk, "project": project.pk, "note": "API 预留"},
        format="json",
    )
    assert held.status_code == 201, held.content
    unit.refresh_from_db()
    assert unit.availability == "reserved" and _state(hall) == ("available", 6000.0)
    refused = api.delete(f"/api/siteunit/{unit.pk}/")
    assert refused.status_code == 400 and "预留" in refused.content.decode()
    site_release(site=hall, unit=unit, user=org["users"]["linzi_admin"], reason="API 测试")
    assert api.delete(f"/api/siteunit/{unit.pk}/").status_code == 204
    assert _state(hall) == ("available", 6000.0)
    # A plain site (no units) is held through the API as on its page.
    plain = BuildingFactory(district=org["linzi_district"], code="U-2", name="未分割厂房", floor_area_m2=800)
    held = api.post("/api/sitereservation/", {"site": plain.pk, "project": project.pk}, format="json")
    assert held.status_code == 201 and _state(plain)[0] == "reserved"
    again = api.post("/api/sitereservation/", {"site": plain.pk, "project": project.pk}, format="json")
    assert again.status_code == 400  # no longer available
