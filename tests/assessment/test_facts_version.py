"""The facts version per district (issue 15): every way of writing what the facts read bumps the version of the
district(s) concerned, in the database (triggers), so that kept facts — in this process or in the shared cache
of another — are never served stale; roll-ups add up per-district results and key districts by id."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.analytics.rates.groups import SHARED, counts_by_groups, rates_by_group
from zhaoshang.assessment import facts as facts_module
from zhaoshang.assessment.facts import current_facts, forget, project_facts, scope_versions
from zhaoshang.assessment.facts_triggers import installed, trigger_names
from zhaoshang.assessment.models import FactsVersion
from zhaoshang.assessment.selectors import assessed_projects, rollup_tables, scope_districts
from zhaoshang.chains.models import Chain
from zhaoshang.core.factories import CityFactory, DistrictFactory, UserFactory
from zhaoshang.core.models import City, District, Park, Town
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import (
    FundsEntry,
    InvestmentCompletion,
    Project,
    ProjectListing,
    ProjectOutput,
    StageMove,
)
from zhaoshang.projects.models.fagai import ListLevel, YearClass
from zhaoshang.projects.services import funds_add

PERIOD = Period(datetime.date(2026, 1, 1), datetime.date(2026, 11, 30))


def _versions() -> dict[int, int]:
    return dict(FactsVersion.objects.values_list("district_id", "version"))


class Bumps:
    """Which districts' versions a block of writes changed."""

    def __enter__(self) -> Bumps:
        self.before = _versions()
        return self

    def __exit__(self, *exc: Any) -> None:
        after = _versions()
        self.changed = {d for d, v in after.items() if self.before.get(d) != v}


def test_the_triggers_are_installed_and_every_district_has_a_version(org: Any) -> None:
    assert installed(connection) >= trigger_names()
    assert set(FactsVersion.objects.values_list("district_id", flat=True)) == set(
        District.objects.values_list("pk", flat=True)
    )
    with Bumps():
        created = DistrictFactory(city=org["linzi_district"].city, adcode="370399", name="新区")
    assert FactsVersion.objects.filter(district=created).exists()  # a new district starts with its row


@pytest.mark.usefixtures("as_test_actor")
def test_every_write_path_bumps_the_right_district(org: Any, users: Any) -> None:
    admin, linzi, huantai = users["linzi_admin"], org["linzi_district"], org["huantai_district"]
    project = Project.objects.filter(district=linzi, chain__isnull=False).order_by("pk").first()
    other = Project.objects.filter(district=huantai).order_by("pk").first()

    with Bumps() as b:  # a service
        entry = funds_add(
            project=project,
            date=datetime.date(2026, 6, 1),
            amount=Decimal("500"),
            origin="outside_province",
            kind=FundsEntry.Kind.FIXED,
            user=admin,
        )
    assert b.changed == {linzi.pk}
    with Bumps() as b:  # an import's bulk_create
        FundsEntry.objects.bulk_create(
            [FundsEntry(project=other, date=datetime.date(2026, 7, 1), amount=Decimal("1"), origin="local")]
        )
    assert b.changed == {huantai.pk}
    with Bumps() as b:  # queryset.update of a related table, and of the projects
        FundsEntry.objects.filter(pk=entry.pk).update(amount=Decimal("700"))
    assert b.changed == {linzi.pk}
    with Bumps() as b:
        Project.objects.filter(pk=other.pk).update(total_investment=Decimal("12345"))
    assert b.changed == {huantai.pk}
    with Bumps() as b:  # a related row moved to a project of another district: both
        FundsEntry.objects.filter(pk=entry.pk).update(project=other)
    assert b.changed == {linzi.pk, huantai.pk}
    with Bumps() as b:
        FundsEntry.objects.filter(pk=entry.pk).delete()
    assert b.changed == {huantai.pk}
    for model, fields in (
        (
            StageMove,
            {
                "from_stage": "signed",
                "to_stage": "registered",
                "date": datetime.date(2026, 5, 5),
                "requested_by": admin,
            },
        ),
        (ProjectOutput, {"year": 2026, "output": Decimal("3"), "tax": Decimal("1")}),
        (
            ProjectListing,
            {
                "year": 2026,
                "planned_investment": Decimal("100"),
                "level": ListLevel.values[0],
                "year_class": YearClass.values[0],
            },
        ),
        (InvestmentCompletion, {"month": datetime.date(2026, 3, 1), "amount": Decimal("10")}),
    ):
        if model in (ProjectOutput, ProjectListing):  # one per project and year (and list)
            model.objects.filter(project=project, year=2026).delete()
        with Bumps() as b:
            row = model.objects.create(project=project, **fields)
        assert b.changed == {linzi.pk}, model
        with Bumps() as b:
            model.objects.filter(pk=row.pk).delete()
        assert b.changed == {linzi.pk}, model

    moved = ProjectFactory(district=linzi, name="搬家项目", stage="lead")
    with Bumps() as b:  # a project moved between districts: both
        moved.district = huantai
        moved.save()
    assert b.changed == {linzi.pk, huantai.pk}
    with Bumps() as b:
        moved.delete()
    assert b.changed == {huantai.pk}

    chain = project.chain
    with Bumps() as b:  # a chain renamed: the districts of its projects
        chain.name += "(改)"
        chain.save()
    assert b.changed == {linzi.pk}
    with Bumps() as b:
        Chain.objects.filter(pk=chain.pk).update(name="又改")
    assert b.changed == {linzi.pk}
    with Bumps() as b:  # the same name again, or another column: nothing the facts read
        Chain.objects.filter(pk=chain.pk).update(name="又改")
    assert b.changed == set()
    town = Town.objects.filter(project__district=linzi).first()
    park = Park.objects.filter(project__district=linzi).first()
    for named in (town, park):
        if named is None:
            continue
        with Bumps() as b:
            type(named).objects.filter(pk=named.pk).update(name=named.name + "新")
        assert linzi.pk in b.changed and huantai.pk not in b.changed
    with Bumps() as b:
        District.objects.filter(pk=huantai.pk).update(name="桓台县(改)")
    assert b.changed == {huantai.pk}
    with Bumps() as b:  # a city renamed: all its districts (the province groups by city)
        City.objects.filter(pk=linzi.city_id).update(name="淄博市(改)")
    assert b.changed == set(District.objects.filter(city_id=linzi.city_id).values_list("pk", flat=True))


def _fresh(user: Any, district: Any) -> list[Any]:
    return project_facts(assessed_projects(user, district))


def _kept(user: Any, district: Any) -> list[Any]:
    return current_facts(scope_versions(scope_districts(user, district)))


@pytest.mark.usefixtures("as_test_actor")
def test_another_process_sees_a_write_made_elsewhere(org: Any, users: Any) -> None:
    admin, linzi = users["linzi_admin"], org["linzi_district"]
    first = _kept(admin, linzi)
    assert first == _fresh(admin, linzi)
    assert _kept(admin, linzi) is not None
    project = Project.objects.filter(district=linzi, stage="started").order_by("pk").first()

    # Another process (the same cache, an empty memory) reads the facts from the cache: no facts query.
    forget()
    with CaptureQueriesContext(connection) as captured:
        again = current_facts(scope_versions(scope_districts(admin, linzi)))
    assert again == first and len(captured) == 1  # the scope's versions (the user's scope is known)

    # A write made "elsewhere" (straight SQL through the ORM, no service, no signal) while this process keeps
    # its memory and the cache keeps the old version's entry: the version tells, the figures follow.
    FundsEntry.objects.bulk_create(
        [FundsEntry(project=project, date=datetime.date(2026, 8, 8), amount=Decimal("321"), origin="local")]
    )
    kept = _kept(admin, linzi)
    assert kept == _fresh(admin, linzi)
    assert any(a == 321 for _d, a, _o in {f.key: f for f in kept}[str(project.pk)].funds)

    # The other way round: this process's memory kept, the shared cache emptied (a Redis restart).
    cache.clear()
    Project.objects.filter(pk=project.pk).update(total_investment=Decimal("99999"))
    kept = _kept(admin, linzi)
    assert kept == _fresh(admin, linzi)
    assert {f.key: f for f in kept}[str(project.pk)].signed_amount == 99999

    # And a process whose memory is older than the cache: another process rebuilt the facts after a write.
    memory = dict(facts_module._FACTS)
    Project.objects.filter(pk=project.pk).update(total_investment=Decimal("11111"))
    forget()
    assert _kept(admin, linzi) == _fresh(admin, linzi)  # "the other process" reads and caches
    with facts_module._LOCK:
        facts_module._FACTS.update(memory)  # this process still holds the old version
    kept = _kept(admin, linzi)
    assert {f.key: f for f in kept}[str(project.pk)].signed_amount == 11111
    assert kept == _fresh(admin, linzi)


@pytest.mark.usefixtures("as_test_actor")
def test_a_rolled_back_write_never_reuses_its_version(org: Any, users: Any) -> None:
    """Figures computed inside a transaction that rolled back may sit in the shared cache under the version
    that transaction gave; the next real write must not give the same number."""
    from django.db import transaction

    linzi = org["linzi_district"]
    project = Project.objects.filter(district=linzi).order_by("pk").first()
    given = []
    with pytest.raises(RuntimeError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(notes="回滚")
        given.append(FactsVersion.objects.get(district=linzi).version)
        raise RuntimeError
    Project.objects.filter(pk=project.pk).update(notes="提交")
    assert FactsVersion.objects.get(district=linzi).version != given[0]


def test_the_freshness_check_is_one_query_whatever_the_districts(org: Any) -> None:
    def queries() -> int:
        ids = list(District.objects.values_list("pk", flat=True))
        current_facts(scope_versions(District.objects.filter(pk__in=ids)))  # warm
        with CaptureQueriesContext(connection) as captured:
            current_facts(scope_versions(District.objects.filter(pk__in=ids)))
        return len(captured)

    before = queries()
    city = org["linzi_district"].city
    for i in range(6):
        district = DistrictFactory(city=city, adcode=f"3703{90 + i}", name=f"加区{i}")
        for j in range(3):
            ProjectFactory(district=district, name=f"加项目{i}-{j}", stage="lead")
    assert queries() == before == 1


def _close(a: Any, b: Any) -> bool:
    return a.value == pytest.approx(b.value) and (a.numerator, a.denominator) == pytest.approx(
        (b.numerator, b.denominator)
    )


@pytest.mark.usefixtures("as_test_actor")
def test_roll_ups_add_up_to_the_engine_over_all_facts_and_follow_writes(org: Any, users: Any) -> None:
    city_admin, linzi = users["city_admin"], org["linzi_district"]

    def check() -> None:
        tables = rollup_tables(city_admin, PERIOD, groups=("district", "city"))
        everything = project_facts(assessed_projects(city_admin))
        by_district = {}
        for district, rates, counts in tables["district"]:
            theirs = [f for f in everything if f.groups["district"] == district.name]
            by_district[district.pk] = theirs
            expected = rates_by_group(theirs, "district", PERIOD)[district.name]
            for name in SHARED:
                assert rates[name] == expected[name] or _close(rates[name], expected[name]), name
            assert counts == pytest.approx(
                counts_by_groups(theirs, ("district",), PERIOD)["district"][district.name]
            )
        expected_cities = rates_by_group(everything, "city", PERIOD)
        for city, rates, _counts in tables["city"]:
            for name in SHARED:
                assert _close(rates[name], expected_cities[city.name][name]), name

    check()
    project = Project.objects.filter(district=linzi, stage="signed").order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(stage="started")
    StageMove.objects.bulk_create(
        [
            StageMove(
                project=project,
                from_stage="signed",
                to_stage="started",
                date=datetime.date(2026, 9, 1),
                requested_by=users["linzi_admin"],
                verified_by=users["city_admin"],
                verified_at=datetime.datetime(2026, 9, 2, tzinfo=datetime.UTC),
            )
        ]
    )
    check()  # the written district computed again, from the database
    forget()
    check()  # another process: from the shared cache


@pytest.mark.usefixtures("as_test_actor")
def test_the_province_keys_districts_by_id_not_name(org: Any, client: Any) -> None:
    """Two 市中区 (济南 and 枣庄) are two rows of the province's comparison, each with its own figures."""
    jinan = CityFactory(adcode="370100", name="济南市")
    zaozhuang = CityFactory(adcode="370400", name="枣庄市")
    one = DistrictFactory(city=jinan, adcode="370103", name="市中区")
    two = DistrictFactory(city=zaozhuang, adcode="370402", name="市中区")
    province = UserFactory(is_superuser=True, username="province-test")
    for district, n in ((one, 2), (two, 3)):
        for i in range(n):
            project = ProjectFactory(district=district, name=f"{district.adcode}-{i}", stage="signed")
            StageMove.objects.create(
                project=project,
                from_stage="negotiation",
                to_stage="signed",
                date=datetime.date(2026, 3, 1),
                requested_by=province,
                verified_by=province,
                verified_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
            )
    rows = [r for r in rollup_tables(province, PERIOD)["district"] if r[0].name == "市中区"]
    assert [r[0].pk for r in rows] == sorted([one.pk, two.pk])
    assert [r[2]["signed_projects"] for r in rows] == [2.0, 3.0]
    for district, rates, _counts in rows:  # each its own district's figures, as the engine gives them
        own = project_facts(Project.objects.filter(district=district).exclude(stage="reserve"))
        expected = rates_by_group(own, "district", PERIOD)["市中区"]
        assert all(rates[name].value == expected[name].value for name in SHARED)
    client.force_login(province)
    page = client.get(reverse("assessment_city") + "?year=2026")
    links = [row["link"] for row in page.context["rows"] if row["name"] == "市中区"]
    assert links == [
        reverse("assessment_dashboard") + f"?district={d.pk}&year=2026"
        for d in sorted([one, two], key=lambda d: d.pk)
    ]


def test_a_city_drill_down_lists_that_citys_projects(org: Any, client_for: Any) -> None:
    """The province's city row is a sum without member lists; its drill-down reads that city's facts."""
    city = org["linzi_district"].city
    response = client_for("city_admin").get(
        reverse("assessment_drill"),
        {"group": "city", "name": city.name, "rate": "start", "start": "2026-01-01", "end": "2026-11-30"},
    )
    assert response.status_code == 200
    rate = response.context["rate"]
    listed = {p.pk for p in response.context["numerator"]} | {p.pk for p in response.context["rest"]}
    assert rate.denominator == len(rate.members_denominator) > 0
    assert listed == {int(k) for k in rate.members_denominator}
    assert all(p.district.city_id == city.pk for p in response.context["numerator"])
