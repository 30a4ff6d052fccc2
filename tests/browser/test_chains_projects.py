"""Chains, projects and the assessment pages in a real browser.

Chain panorama (ECharts) and its colour toggle, the gap table, a node's 招商目标图 (Leaflet) and saving target
firms; a project's approval Gantt and stage ladder, a stage move requested by the chain chief and verified by
the district admin; the leader dashboard, drill-down, forecast, big screen, city comparison and rankings; the
blocker board and 我的任务 with a task completed through HTMX.

Each test rebuilds the demo (the live server needs it committed, and the previous test flushed it), which costs
more than the pages themselves: the four scenarios therefore run as two tests, each scenario in its own function.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from zhaoshang.projects.delivery.tasks import MY_TASKS_PER_PAGE

pytestmark = pytest.mark.browser

OPEN_BLOCKER_STATUSES = ("raised", "assigned", "in_progress")


def test_chain_targets_and_dashboards(page_as: Any, shoot: Any) -> None:
    """Scenarios 1 and 3: the chain panorama down to saved target firms; the dashboards and rankings."""
    chain_panorama_and_targets(page_as("linzi_chief"), shoot)
    district_dashboard(page_as("linzi_admin"), shoot)
    city_rankings(page_as("city_admin"), shoot)


def test_project_stages_blockers_and_tasks(page_as: Any, shoot: Any) -> None:
    """Scenarios 2 and 4: Gantt and ladder, a stage move requested then verified; blocker board, 我的任务."""
    admin = page_as("linzi_admin")
    chief = page_as("linzi_chief")
    project_gantt(admin, shoot)
    stage_move_verified(chief, admin, shoot)
    blocker_board(admin, shoot)
    my_tasks_done(chief, shoot)


# --- 1. chain panorama → node → 招商目标图 → target list ----------------------------------------------------


def chain_panorama_and_targets(page: Any, shoot: Any) -> None:
    page.goto("/chain/")
    page.locator("#object-table").get_by_role("link", name="机器人产业链", exact=True).click()
    page.wait_for_url(re.compile(r"/chain/\d+/$"))
    chain_pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert page.locator("h1").inner_text() == "机器人产业链"

    graph = page.locator("#chain-graph[data-ready=true]")
    graph.wait_for()
    assert graph.locator("canvas").count() >= 1

    # With a gap snapshot the graph opens coloured by status (strong/weak/missing); 全景图 colours by segment.
    status_button = page.locator("button[data-colour=status]")
    segment_button = page.locator("button[data-colour=segment]")
    assert "active" in (status_button.get_attribute("class") or "")
    assert legend_visible(page) == {"status": True, "segment": False}
    assert node_colours(page) == node_colours(page, "statusColor")
    segment_button.click()
    assert legend_visible(page) == {"status": False, "segment": True}
    assert "active" in (segment_button.get_attribute("class") or "")
    assert "active" not in (status_button.get_attribute("class") or "")
    assert node_colours(page) == node_colours(page, "segmentColor")
    assert node_colours(page) != node_colours(page, "statusColor")
    shoot(page, "chain-panorama.png")
    status_button.click()
    assert legend_visible(page) == {"status": True, "segment": False}
    assert node_colours(page) == node_colours(page, "statusColor")

    # 短板弱项: every node of the chain, worst gap first, each with its status badge.
    gap_rows = page.locator("#gap-table tbody tr")
    assert gap_rows.count() == len(node_colours(page)) > 0
    assert gap_rows.first.locator(".badge[class*='status-']").inner_text() in ("强项", "弱项", "缺失")
    scores = [float(t) for t in page.locator("#gap-table tbody td.fw-semibold").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)

    # The first weak link whose 招商目标图 has target cities, so that the map has circles to count.
    link = first_gap_node_with_cities(page)
    name = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/node/\d+/$"))
    assert page.locator("h1").inner_text() == name

    page.get_by_role("link", name=re.compile("招商目标图")).click()
    page.wait_for_url(re.compile(r"/node/\d+/targets/$"))
    page.locator("#target-map[data-ready=true]").wait_for()
    assert page.locator("h1").inner_text().startswith(f"{name} · 招商目标")
    firms = page.locator("#target-firms > tbody > tr")
    assert firms.count() > 2
    assert page.locator("#target-industries > tbody > tr:not(.terms-row)").count() > 0
    cities = page.locator("#target-cities > tbody > tr:not(.terms-row)").count()
    assert cities > 0
    # One circle per target city (the table shows the first 15) plus the district itself.
    assert page.locator("#target-map path.leaflet-interactive").count() >= min(cities, 15) + 1
    shoot(page, "node-targets.png")

    # The scenario: five firms into the library, then a visit logged on one of them.
    boxes = page.locator("#target-firms input[type=checkbox][name=uscc]")
    assert boxes.count() >= 5
    picked = [boxes.nth(i).get_attribute("aria-label") for i in range(5)]
    for i in range(5):
        boxes.nth(i).check()
    page.locator("#save-targets").click()
    page.wait_for_url(re.compile(rf"/target/\?chain={chain_pk}$"))
    assert "已加入目标企业库 5 家" in page.locator("main .alert-success").inner_text()
    assert page.locator("#id_chain").input_value() == str(chain_pk)
    table = page.locator("#object-table")
    for firm in picked:
        row = table.locator("tbody tr", has_text=firm)
        assert row.count() == 1, firm
        assert "机器人产业链" in row.inner_text()
        assert name in row.inner_text()
        assert "已锁定" in row.inner_text()

    table.locator("tbody tr", has_text=picked[0]).locator("a").first.click()
    page.wait_for_url(re.compile(r"/target/\d+/$"))
    entry_url = page.url
    assert "还没有联系记录" in page.locator("#contacts").inner_text()
    page.locator("#id_date").fill("2026-11-20")
    page.locator("#id_kind").select_option("visit")
    page.locator("#id_participants").fill("链长、招商科")
    page.locator("#id_summary").fill("拜访总部, 介绍临淄机器人产业园")
    page.locator("#id_next_step").fill("邀请来临淄考察")
    page.locator("#id_next_action_date").fill("2026-12-05")
    page.get_by_role("button", name="保存联系记录").click()
    page.wait_for_load_state()
    page.goto(entry_url)
    assert "拜访总部, 介绍临淄机器人产业园" in page.locator("#contacts").inner_text()
    assert "已拜访" in page.locator("main").inner_text()
    assert "邀请来临淄考察" in page.locator("main").inner_text()


def legend_visible(page: Any) -> dict[str, bool]:
    return {key: page.locator(f"[data-legend={key}]").is_visible() for key in ("status", "segment")}


def node_colours(page: Any, key: str | None = None) -> list[str]:
    """The colours the chart paints its nodes with, or (with `key`) the colours the server sent for a mode."""
    if key is None:
        script = """() => echarts.getInstanceByDom(document.getElementById('chain-graph'))
            .getOption().series[0].data.map((n) => n.itemStyle.color)"""
    else:
        script = f"""() => JSON.parse(document.getElementById('chain-graph-data').textContent)
            .nodes.map((n) => n.{key})"""
    return page.evaluate(script)


def first_gap_node_with_cities(page: Any) -> Any:
    from zhaoshang.chains.models import Node
    from zhaoshang.targeting.targets import node_targets

    links = page.locator("#gap-table tbody tr td:first-child a")
    for i in range(links.count()):
        link = links.nth(i)
        pk = int(re.search(r"/node/(\d+)/", link.get_attribute("href")).group(1))
        if node_targets(Node.objects.get(pk=pk), top=5).cities:
            return link
    raise AssertionError("no node of the chain has target cities")


# --- 2. project Gantt and ladder; a stage move requested and verified -----------------------------------


def project_gantt(page: Any, shoot: Any) -> None:
    page.goto("/project/?stage=started")
    rows = page.locator("#object-table tbody tr")
    assert rows.count() > 0
    for i in range(min(rows.count(), 5)):
        page.goto("/project/?stage=started")
        row = page.locator("#object-table tbody tr").nth(i)
        assert "开工" in row.inner_text()
        row.locator("td").first.locator("a").click()
        page.wait_for_url(re.compile(r"/project/\d+/$"))
        if page.locator("#gantt").count():
            break
    else:
        raise AssertionError("no started project with approval steps among the first five")

    page.locator("#gantt[data-ready=true] canvas").first.wait_for()
    assert page.locator("#steps tbody tr").count() == 14
    assert "/14" in page.locator("#compression").inner_text()
    current = page.locator("#ladder li.current")
    assert current.count() == 1
    assert current.inner_text().startswith("开工")
    done = page.locator("#ladder li.done").all_inner_texts()
    assert [t.rstrip("*") for t in done[-3:]] == ["签约", "注册", "供地"]  # * marks the counted stages
    # The project page's delivery panel arrives through HTMX after the page.
    panel = page.locator("#delivery-panel:not([hx-get])")
    panel.wait_for()
    assert "周任务" in panel.inner_text()
    shoot(page, "project-gantt.png")


def stage_move_verified(chief: Any, admin: Any, shoot: Any) -> None:
    from django.utils import timezone

    chief.goto("/project/?stage=signed")
    link = chief.locator("#object-table tbody tr td:first-child a").first
    name = link.inner_text()
    link.click()
    chief.wait_for_url(re.compile(r"/project/\d+/$"))
    url = chief.url
    assert chief.locator("h1").inner_text() == name
    assert chief.locator("#ladder li.current").inner_text().startswith("签约")

    confirms: list[str] = []
    chief.on("dialog", lambda dialog: (confirms.append(dialog.message), dialog.accept()))
    form = chief.locator("#move-form")
    form.locator("select[name=to_stage]").select_option("registered")
    form.locator("input[name=date]").fill(timezone.localdate().isoformat())
    form.locator("input[name=evidence_note]").fill("营业执照副本(浏览器测试)")
    form.get_by_role("button", name="提交").click()
    pending = chief.locator("#pending-moves")
    pending.wait_for()
    assert confirms and "确认变更阶段" in confirms[0]
    assert "待审核人核实后生效" in chief.locator("main .alert-success").inner_text()
    assert "签约 → 注册" in pending.inner_text()
    assert "营业执照副本(浏览器测试)" in pending.inner_text()
    # Not in effect yet, and the chain chief (the requester, without the verify right) gets no buttons.
    assert chief.locator("#ladder li.current").inner_text().startswith("签约")
    assert pending.locator("button").count() == 0
    assert chief.locator("#move-form").count() == 0

    admin.goto(url)
    admin_pending = admin.locator("#pending-moves")
    assert "签约 → 注册" in admin_pending.inner_text()
    admin_pending.get_by_role("button", name="核实通过").click()
    admin.locator("main .alert-success", has_text="已审核").wait_for()
    assert admin.locator("#pending-moves").count() == 0
    assert admin.locator("#ladder li.current").inner_text().startswith("注册")
    newest = admin.locator("#moves tbody tr").first.inner_text()
    assert "签约 → 注册" in newest
    assert "营业执照副本(浏览器测试)" in newest
    assert "临淄区管理员" in newest  # verified by, and locked
    assert admin.locator("#move-form").count() == 1  # the next move can be requested
    shoot(admin, "stage-verify.png")

    # The requester sees it in effect too.
    chief.reload()
    assert chief.locator("#ladder li.current").inner_text().startswith("注册")


# --- 3. leader dashboard, drill-down, forecast, big screen; city comparison and rankings ------------------


def district_dashboard(page: Any, shoot: Any) -> None:
    page.goto("/assessment/?year=2026")
    assert page.locator("h1").inner_text().startswith("临淄区")
    targets = page.locator("#targets tbody tr")
    assert targets.count() > 3
    assert page.locator("#targets .progress").count() == targets.count()
    page.locator("#funnel canvas").first.wait_for()
    shoot(page, "dashboard.png")

    # The district row's 开工率 drills down to the projects behind both of its numbers.
    rates = page.locator("table.rates").first
    headers = [h.strip() for h in rates.locator("thead th").all_inner_texts()]
    column = headers.index("开工率")
    district_row = rates.locator("tbody tr", has_text="临淄区")
    cell = district_row.locator("td").nth(column)
    numerator, denominator = (int(n) for n in cell.locator(".small").inner_text().split("/"))
    assert 0 < numerator <= denominator
    cell.locator("a").click()
    page.wait_for_url(re.compile(r"/assessment/drill/\?"))
    assert page.locator("h1").inner_text().startswith("临淄区 · 开工率")
    assert page.locator("#numerator li a").count() == numerator
    assert page.locator("#rest li a").count() == denominator - numerator

    page.goto("/assessment/forecast/")
    page.locator("#fan canvas").first.wait_for()
    assert re.fullmatch(r"\d+%", page.locator("#probability").inner_text().strip())
    assert "P50" in page.locator("#forecast-explain").inner_text()
    assert page.locator("#important tbody tr").count() > 0
    shoot(page, "forecast.png")

    page.goto("/assessment/?screen=1")
    # Its own layout: no navigation, refreshed by its script (tests/browser/test_big_screen.py measures it).
    assert page.locator("#screen[data-refresh]").count() == 1 and page.locator("nav").count() == 0
    assert page.get_by_role("link", name="大屏模式").count() == 0
    page.locator("#screen-funnel canvas").first.wait_for()


def city_rankings(page: Any, shoot: Any) -> None:
    page.goto("/assessment/city/?year=2026")
    rows = page.locator("table.rates tbody tr")
    names = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert "临淄区" in names and "桓台县" in names

    page.goto("/assessment/rankings/?month=2026-11")
    assert "2026-11" in page.locator("h1").inner_text()
    districts = page.locator("table.ranking").first.locator("tbody tr")
    listed = [districts.nth(i).locator("td").nth(1).inner_text() for i in range(districts.count())]
    assert "临淄区" in listed and "桓台县" in listed
    cells = [districts.nth(i).locator("td").first.inner_text() for i in range(districts.count())]
    ranks = [int(c) for c in cells if c != "—"]
    # Ranked districts in order; those with nothing to assess (未参评, "—") come after them, never ranked at 0.
    assert ranks and ranks == sorted(ranks) and cells[: len(ranks)] == [str(r) for r in ranks]
    teams = page.locator("table.ranking").nth(1).locator("tbody tr")
    assert teams.count() > 0 and "专班" in teams.first.inner_text()
    shoot(page, "rankings.png")

    page.get_by_role("link", name="考核办法").click()
    page.wait_for_url(re.compile(r"/assessment/scheme/\?year=2026$"))
    assert page.get_by_label("落地率").input_value() == "25.0"  # the default scheme, editable by the city
    assert page.get_by_role("button", name="保存").is_enabled()
    shoot(page, "scheme.png")


# --- 4. blocker board; 我的任务 with a task done through HTMX ---------------------------------------------


def blocker_board(page: Any, shoot: Any) -> None:
    page.locator("nav").get_by_role("link", name="堵点挂图").click()
    page.wait_for_url(re.compile(r"/blockers/board/$"))
    assert page.locator("h1").inner_text().startswith("堵点挂图督办")
    board = page.locator("#blocker-board")
    assert board.locator("tbody tr[data-department]").count() > 0
    open_total = int(page.locator("#open-total").inner_text())
    counted = sum(
        int(cell.get_attribute("data-count"))
        for status in OPEN_BLOCKER_STATUSES
        for cell in board.locator(f"tbody td[data-status={status}]").all()
    )
    assert open_total == counted > 0
    assert board.locator(".card.overdue").count() <= int(page.locator("#overdue-total").inner_text())
    page.locator("#blocker-chart canvas").first.wait_for()
    shoot(page, "blockers-board.png")


def my_tasks_done(page: Any, shoot: Any) -> None:
    page.locator("nav").get_by_role("link", name="我的工作").click()
    page.wait_for_url(re.compile(r"/my/$"))
    page.goto("/my/tasks/")
    badge = page.locator("#overdue-count")
    assert badge.is_visible()
    overdue = int(badge.inner_text())
    assert overdue > 0
    # The page shows the first MY_TASKS_PER_PAGE tasks (week order); the badge counts every overdue task.
    assert page.locator(".task-row.overdue").count() == min(overdue, MY_TASKS_PER_PAGE)

    page.evaluate("window.__same_document = true")
    row = page.locator(".task-row.overdue").first
    row_id = row.get_attribute("id")
    with page.expect_response(lambda r: "/done/" in r.url) as response_info:
        row.get_by_role("button", name="完成").click()
    response = response_info.value
    assert response.ok and response.request.headers.get("hx-request") == "true"
    done = page.locator(f"#{row_id}")
    page.wait_for_function("(id) => !document.getElementById(id).classList.contains('overdue')", arg=row_id)
    assert "已完成" in done.inner_text()
    assert done.locator("s").count() == 1
    assert done.get_by_role("button", name="完成").count() == 0
    page.wait_for_function(
        "(n) => document.getElementById('overdue-count').innerText === String(n)", arg=overdue - 1
    )
    assert page.evaluate("window.__same_document") is True
    shoot(page, "my-tasks.png")
