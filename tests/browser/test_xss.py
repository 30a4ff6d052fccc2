"""Names typed into the platform stay text wherever the front end draws them (stored XSS).

A park, a town, a chain node, a project, its approval step and department, a blocker and a site of 临淄区 get
names that would run script if any page built markup from them. The pages that draw those names in charts and
maps — the dashboard's project map, the chain graph (hovered node by node), the Gantt chart, the blocker chart,
the factor map's card and park outline, the node's target map — are opened and hovered: the names show as
literal text, no element comes out of them, `window.__xss` stays undefined and the Content-Security-Policy
reports no violation; nor does it on the admin and the API docs (Swagger UI).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

pytestmark = pytest.mark.browser

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "</script><script>window.__xss=1</script>"
# The site and its park lie apart from the demo's sites, so that nothing else is under the mouse there.
LNG, LAT = 118.05, 36.60


@pytest.fixture
def planted(live_org: dict[str, Any]) -> dict[str, Any]:
    """Script-bearing names on records of 临淄区 (the district of the persona that opens them), written as its
    admin would through the pages."""
    from zhaoshang.core.audit import acting_as

    admin = live_org["users"]["linzi_admin"]
    with acting_as(admin, "web"):
        return plant(live_org["linzi_district"], admin)


def plant(linzi: Any, admin: Any) -> dict[str, Any]:
    from zhaoshang.chains.factories import ChainFactory, EdgeFactory, NodeFactory, NodeIndustryFactory
    from zhaoshang.chains.models import Node
    from zhaoshang.core.factories import DepartmentFactory, ParkFactory, TownFactory
    from zhaoshang.projects.delivery.approvals import project_steps_create
    from zhaoshang.projects.factories import ProjectFactory
    from zhaoshang.projects.models import Blocker
    from zhaoshang.sites.factories import SiteFactory

    d = 0.004
    ring = [
        [LNG - d, LAT - d],
        [LNG + d, LAT - d],
        [LNG + d, LAT + d],
        [LNG - d, LAT + d],
        [LNG - d, LAT - d],
    ]
    town = TownFactory(district=linzi, name=f"镇{IMG}")
    park = ParkFactory(
        district=linzi,
        town=town,
        name=f"园区{IMG}{SCRIPT}",
        boundary={"type": "Polygon", "coordinates": [ring]},
    )
    site = SiteFactory(
        district=linzi, town=town, park=park, code="XSS-0001", name=f"地块{IMG}", lng=LNG, lat=LAT
    )

    chain = ChainFactory(district=linzi, name=f"产业链{SCRIPT}")
    node = NodeFactory(chain=chain, name=f"环节{IMG}{SCRIPT}", segment=Node.Segment.MIDSTREAM)
    upstream = NodeFactory(chain=chain, name=f"上游{IMG}", segment=Node.Segment.UPSTREAM)
    NodeIndustryFactory(node=node, code="3491")
    EdgeFactory(chain=chain, source=upstream, target=node)

    department = DepartmentFactory(district=linzi, name=f"部门{IMG}")
    project = ProjectFactory(district=linzi, park=park, name=f"项目{IMG}{SCRIPT}", stage="signed")
    project_steps_create(project=project, user=admin)
    # The longest bar: the Gantt now runs to the completion acceptance after the building, so a one-day step is
    # a pixel or two wide.
    step = max(
        project.steps.exclude(planned_start=None), key=lambda s: (s.planned_finish - s.planned_start, -s.pk)
    )
    step.name, step.department = f"环节{IMG}{SCRIPT}", department
    step.save()
    Blocker.objects.create(
        project=project,
        title=f"堵点{IMG}",
        department=department,
        deadline=datetime.date.today() - datetime.timedelta(days=3),
        raised_by=admin,
    )
    return {"chain": chain, "node": node, "upstream": upstream, "project": project, "site": site}


def test_names_are_drawn_as_text(page_as: Any, planted: dict[str, Any]) -> None:
    page = page_as("linzi_admin")
    dashboard_map(page)
    chain_graph(page, planted)
    gantt_and_blockers(page, planted)
    factor_map(page, planted)
    node_targets(page, planted)
    admin_and_api_docs(page, planted)


def in_view(locator: Any) -> dict[str, float]:
    """The box of an element scrolled into the viewport (the mouse only reaches what is on screen)."""
    locator.scroll_into_view_if_needed()
    return locator.bounding_box()


def assert_inert(page: Any, where: str) -> None:
    """Nothing ran, nothing was refused, and no element came out of a name."""
    assert page.evaluate("typeof window.__xss") == "undefined", where
    assert page.evaluate("window.__csp_violations") == [], where
    assert page.locator("img[src=x]").count() == 0, where
    # Only scripts loaded from files, and json_script's data blocks, are in the page.
    inline = page.evaluate(
        "[...document.scripts].filter((s) => !s.src && s.type !== 'application/json').map((s) => s.text)"
    )
    assert inline == [], where


def dashboard_map(page: Any) -> None:
    page.goto("/assessment/")
    page.locator("#project-map[data-ready=true]").wait_for()
    label = page.locator("#project-map .leaflet-tooltip", has_text="window.__xss")
    label.wait_for()
    assert f"园区{IMG}{SCRIPT}" in label.inner_text()
    page.locator("#funnel canvas").first.hover()
    assert_inert(page, "dashboard")
    # htmx never evaluates code from the markup (hx-on, js: values, trigger filters) nor runs swapped-in scripts.
    config = "[htmx.config.allowEval, htmx.config.allowScriptTags, htmx.config.includeIndicatorStyles]"
    assert page.evaluate(config) == [False, False, False]


def chain_graph(page: Any, planted: dict[str, Any]) -> None:
    page.goto(f"/chain/{planted['chain'].pk}/")
    box = page.locator("#chain-graph[data-ready=true]")
    box.wait_for()
    assert page.locator("h1").inner_text() == f"产业链{SCRIPT}"
    frame = in_view(box)
    for node, name in ((planted["node"], f"环节{IMG}{SCRIPT}"), (planted["upstream"], f"上游{IMG}")):
        x, y = page.evaluate(
            """(id) => {
                const chart = echarts.getInstanceByDom(document.getElementById("chain-graph"));
                const node = chart.getOption().series[0].data.find((n) => n.id === id);
                return chart.convertToPixel({ seriesIndex: 0 }, [node.x, node.y]);
            }""",
            str(node.pk),
        )
        page.mouse.move(frame["x"] + x, frame["y"] + y)
        tip = page.locator("#chain-graph div", has_text=name).last
        tip.wait_for()
        assert name in tip.inner_text()
        assert_inert(page, f"chain graph, node {node.pk}")
        page.mouse.move(frame["x"] + 2, frame["y"] + 2)


def gantt_and_blockers(page: Any, planted: dict[str, Any]) -> None:
    page.goto(f"/project/{planted['project'].pk}/")
    page.locator("#gantt[data-ready=true] canvas").first.wait_for()
    assert page.locator("h1").inner_text() == f"项目{IMG}{SCRIPT}"
    frame = in_view(page.locator("#gantt"))
    x, y = page.evaluate(
        """() => {
            const data = JSON.parse(document.getElementById("gantt-data").textContent);
            const steps = data.steps.filter((s) => s.start).reverse();
            const i = steps.findIndex((s) => s.name.includes("__xss"));
            const day = (iso) => new Date(iso + "T00:00:00").getTime();
            const middle = (day(steps[i].start) + day(steps[i].finish) + 86400000) / 2;
            const chart = echarts.getInstanceByDom(document.getElementById("gantt"));
            return chart.convertToPixel({ gridIndex: 0 }, [middle, i]);
        }"""
    )
    page.mouse.move(frame["x"] + x, frame["y"] + y - 4)
    tip = page.locator("#gantt div", has_text="window.__xss").last
    tip.wait_for()
    assert f"环节{IMG}{SCRIPT}" in tip.inner_text() and f"部门{IMG}" in tip.inner_text()
    assert_inert(page, "gantt")

    page.goto("/blockers/board/")
    box = page.locator("#blocker-chart[data-ready=true]")
    box.wait_for()
    frame = in_view(box)
    x, y = page.evaluate(
        """() => {
            const data = JSON.parse(document.getElementById("blocker-chart-data").textContent);
            const i = data.findIndex((d) => d.department.includes("__xss"));
            const chart = echarts.getInstanceByDom(document.getElementById("blocker-chart"));
            return chart.convertToPixel({ gridIndex: 0 }, [i, 0]);
        }"""
    )
    page.mouse.move(frame["x"] + x, frame["y"] + y - 10)
    tip = page.locator("#blocker-chart div", has_text="window.__xss").last
    tip.wait_for()
    assert f"部门{IMG}" in tip.inner_text()
    assert_inert(page, "blocker board")


def factor_map(page: Any, planted: dict[str, Any]) -> None:
    page.goto(f"/sites/map/#17/{LAT}/{LNG}")
    box = page.locator("#site-map[data-mode=shapes][data-shapes-ready=true]")
    box.wait_for()
    box.click()  # the centre: the planted site's marker
    card = page.locator(".leaflet-popup .site-card")
    card.wait_for()
    text = card.inner_text()
    assert f"地块{IMG}" in text and f"镇{IMG}" in text and f"园区{IMG}{SCRIPT}" in text
    assert card.locator("a").get_attribute("href") == f"/site/{planted['site'].pk}/"
    page.keyboard.press("Escape")
    frame = in_view(box)
    page.mouse.move(frame["x"] + frame["width"] / 2 + 150, frame["y"] + frame["height"] / 2 + 100)
    outline = page.locator("#site-map .leaflet-tooltip", has_text="window.__xss")
    outline.wait_for()
    assert f"园区{IMG}{SCRIPT}" in outline.inner_text()
    assert_inert(page, "factor map")


def node_targets(page: Any, planted: dict[str, Any]) -> None:
    page.goto(f"/node/{planted['node'].pk}/targets/")
    page.locator("#target-map[data-ready=true]").wait_for()
    assert f"环节{IMG}{SCRIPT}" in page.locator("h1").inner_text()
    circles = page.locator("#target-map path.leaflet-interactive")
    for i in range(min(circles.count(), 3)):
        circles.nth(i).hover(force=True)
    assert_inert(page, "node targets")


def admin_and_api_docs(page: Any, planted: dict[str, Any]) -> None:
    """The pages of Django's admin and of drf-spectacular's Swagger UI run under the same policy."""
    page.goto(f"/admin/core/park/{planted['site'].park_id}/change/")
    assert page.locator("#id_name").input_value() == f"园区{IMG}{SCRIPT}"
    assert_inert(page, "admin")
    page.goto("/api/docs/")
    page.locator("#swagger-ui .information-container").wait_for()
    page.locator("#swagger-ui .opblock").first.wait_for()
    assert_inert(page, "API docs")
