"""Issue 16 item 8: 审批用时 — the page, its figures opening their steps, scope, and the dashboard card."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.urls import reverse

from zhaoshang.core.models import District
from zhaoshang.projects.delivery.time import delivery_time_report
from zhaoshang.projects.models import Project, ProjectStep


def _linzi() -> District:
    return District.objects.get(adcode="370305")


def test_demo_measures_steps_before_and_after_the_baseline(org: Any, users: Any) -> None:
    report = delivery_time_report(users["linzi_admin"], _linzi())
    assert report.baseline != datetime.date(2019, 3, 26)  # the demo sets its own reform date
    assert {p.period for p in report.projects} == {"before", "after"}
    assert report.achieved is not None and report.serial_compression is not None
    assert any(g.over_promised for g in report.by_step) and len(report.by_department) >= 3
    # The steps behind each project are its own; every measured step is Linzi's.
    ids = [int(t.record.key) for t in report.steps]
    assert set(
        ProjectStep.objects.filter(pk__in=ids).values_list("project__district__adcode", flat=True)
    ) == {"370305"}


def test_page_figures_open_the_steps_behind_them(org: Any, users: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    linzi = _linzi()
    response = client.get(reverse("delivery_time"))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="time-by-step"' in html and 'id="time-by-department"' in html
    report = response.context["report"]
    group = next(g for g in report.by_step if g.count and g.before_count)
    for period, expected in (("after", group.records), ("before", group.before_records)):
        url = f"{reverse('delivery_time')}?district={linzi.pk}&group=step&key={group.key}&period={period}"
        assert f"group=step&key={group.key}&period={period}#records" in html
        page = client.get(url).content.decode()
        shown = re.findall(r'data-step="(\d+)"', page)
        assert sorted(shown) == sorted(expected) and len(shown) == (
            group.count if period == "after" else group.before_count
        )
    project = report.projects[0]
    page = client.get(f"{reverse('delivery_time')}?district={linzi.pk}&group=project&key={project.project}")
    assert sorted(re.findall(r'data-step="(\d+)"', page.content.decode())) == sorted(project.records)


def test_another_districts_steps_are_never_counted(
    org: Any, users: Any, client_for: Any, as_test_actor: Any
) -> None:
    before = delivery_time_report(users["city_admin"], _linzi())
    huantai = District.objects.get(adcode="370321")
    other = Project.objects.create(
        district=huantai, name="桓台测试项目", stage="started", total_investment=Decimal(10_000)
    )
    ProjectStep.objects.create(
        project=other, code="S1", name="项目备案", module=1, module_name="立项", duration=1,
        actual_start=datetime.date(2026, 5, 6), actual_finish=datetime.date(2026, 5, 8),
        status=ProjectStep.Status.DONE,
    )  # fmt: skip
    after = delivery_time_report(users["city_admin"], _linzi())
    assert [t.record.key for t in after.steps] == [t.record.key for t in before.steps]
    # Huantai's admin cannot open Linzi's page, nor Linzi's steps through a figure link.
    client = client_for("huantai_admin")
    assert client.get(f"{reverse('delivery_time')}?district={_linzi().pk}").status_code == 404
    page = client.get(reverse("delivery_time")).content.decode()
    assert "桓台" in page
    assert client_for("huantai_admin").get(reverse("delivery_time")).context["report"].steps[
        0
    ].record.key == str(other.steps.get().pk)


def test_dashboard_shows_the_target_beside_what_was_achieved(org: Any, users: Any, client_for: Any) -> None:
    report = delivery_time_report(users["linzi_admin"], _linzi())
    html = (
        client_for("linzi_admin")
        .get(f"{reverse('assessment_dashboard')}?district={_linzi().pk}")
        .content.decode()
    )
    assert 'id="delivery-time-card"' in html
    assert re.search(r'id="delivery-time-target">−30\.0%<', html)
    achieved = f"{report.achieved:+.1%}".replace("-", "−")
    assert f'id="delivery-time-achieved">{achieved}<' in html
    assert "基线" in html and reverse("delivery_time") in html
