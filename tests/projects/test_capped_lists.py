"""Long lists are capped: 我的任务 a page at a time, the chart's cells, the dispatch report's tables.

Each shows a bounded number of rows with "显示第 a–b 项,共 M 项" (or "显示 12 个,共 M 个") and a way to the rest;
totals stay those of everything, queries do not grow with the rows, and the Word report keeps every row.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.factories import DepartmentFactory
from zhaoshang.core.models import District
from zhaoshang.projects.delivery.blockers import CARDS_PER_CELL, blocker_board
from zhaoshang.projects.delivery.dispatch.services import dispatch_build
from zhaoshang.projects.delivery.tasks import MY_TASKS_PER_PAGE, my_tasks, week_start
from zhaoshang.projects.delivery.views import DISPATCH_ROWS_PER_PAGE
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Blocker, WeeklyTask

D = datetime.date
TODAY = datetime.date.today()
DAY, WEEK = datetime.timedelta(days=1), datetime.timedelta(weeks=1)


def _queries(action: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        result = action()
    return len(captured), result


def _task_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="task-(\d+)" class="task-row', html)]


# --- 我的任务 -------------------------------------------------------------------------------------------------


def test_my_tasks_a_hundred_at_a_time(org: Any, users: Any, client_for: Any) -> None:
    clerk = users["linzi_clerk"]
    client = client_for("linzi_clerk")
    url = reverse("my_tasks")
    project = ProjectFactory(district=org["linzi_district"], name="任务很多的项目")
    land = org["linzi"]["departments"]["自然资源"]  # the clerk's department
    monday = week_start(TODAY)

    def add(numbers: range) -> None:
        WeeklyTask.objects.bulk_create(
            WeeklyTask(
                project=project,
                week=monday - (n % 6) * WEEK,
                title=f"批量任务{n:03d}",
                department=land,
                due_date=monday - (n % 6) * WEEK + 4 * DAY,
            )
            for n in numbers
        )

    add(range(5))
    small_queries, _response = _queries(lambda: client.get(url))
    before = my_tasks(clerk)
    add(range(5, 150))
    listing = my_tasks(clerk)
    total = before["page"].paginator.count + 145
    assert listing["page"].paginator.count == total > MY_TASKS_PER_PAGE
    assert sum(len(g.tasks) for g in listing["groups"]) == MY_TASKS_PER_PAGE
    assert listing["open"] == before["open"] + 145  # counts are of them all, not of the page
    overdue_new = sum(1 for n in range(5, 150) if monday - (n % 6) * WEEK + 4 * DAY < TODAY)
    assert listing["overdue"] == before["overdue"] + overdue_new

    large_queries, first = _queries(lambda: client.get(url + "?weeks=4"))
    assert large_queries == small_queries
    html = first.content.decode()
    shown = _task_ids(html)
    assert len(shown) == MY_TASKS_PER_PAGE
    assert f"显示第 1–{MY_TASKS_PER_PAGE} 项,共 {total} 项" in html
    assert f'id="overdue-count">{listing["overdue"]}<' in html
    assert "?weeks=4&amp;page=2" in html  # the pager keeps the chosen horizon

    second = client.get(url + "?weeks=4&page=2").content.decode()
    rest = _task_ids(second)
    assert len(rest) == min(total - MY_TASKS_PER_PAGE, MY_TASKS_PER_PAGE) and not set(rest) & set(shown)
    assert f"显示第 {MY_TASKS_PER_PAGE + 1}–{MY_TASKS_PER_PAGE + len(rest)} 项,共 {total} 项" in second
    every = {t.pk for t in WeeklyTask.objects.filter(project=project)}
    later = set()
    for page in range(3, 2 + (total - 1) // MY_TASKS_PER_PAGE):
        later |= set(_task_ids(client.get(url + f"?page={page}").content.decode()))
    assert every <= set(shown) | set(rest) | later
    # Past the end: the last page, not an error.
    assert client.get(url + "?page=999").status_code == 200


# --- the chart ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("as_test_actor")
def test_board_cells_are_capped_with_totals_and_a_link_to_the_rest(
    org: Any, users: Any, client_for: Any
) -> None:
    admin = users["linzi_admin"]
    client = client_for("linzi_admin")
    url = reverse("blocker_board")
    small_queries, _response = _queries(lambda: client.get(url))
    before = blocker_board(admin)
    district = org["linzi_district"]
    project = ProjectFactory(district=district, name="堵点很多的项目")
    department = DepartmentFactory(district=district, name="临淄区挂图测试局", short_name="挂图测试")
    late = TODAY - 5 * DAY
    Blocker.objects.bulk_create(
        Blocker(
            project=project,
            title=f"批量堵点{n:02d}",
            department=department,
            deadline=late if n < 20 else TODAY + (n + 1) * DAY,
            status=Blocker.Status.ASSIGNED,
            raised_by=admin,
        )
        for n in range(60)
    )
    urgent = Blocker.objects.get(
        title="批量堵点59"
    )  # the latest deadline, but the highest level: shown first
    Blocker.objects.filter(pk=urgent.pk).update(level=3)
    Blocker.objects.create(project=project, title="未交办的批量堵点", raised_by=admin)

    large_queries, response = _queries(lambda: client.get(url))
    assert large_queries == small_queries
    board = response.context
    assert board["open_total"] == before["open_total"] + 61
    assert board["overdue_total"] == before["overdue_total"] + 20
    row = next(r for r in board["rows"] if r.department == department)
    assert row.open == 60 and row.overdue == 20
    cell = next(c for c in row.cells if c.status == "assigned")
    assert (cell.count, len(cell.cards), cell.more) == (60, CARDS_PER_CELL, 60 - CARDS_PER_CELL)
    assert cell.cards[0].pk == urgent.pk and all(c.overdue for c in cell.cards[1:])
    html = response.content.decode()
    assert f'data-count="60" data-shown="{CARDS_PER_CELL}"' in html
    assert f"显示 {CARDS_PER_CELL} 个,共 60 个" in html
    rest = f"{reverse('blocker_list')}?status=assigned&department={department.pk}&district={district.pk}"
    assert f'href="{rest}"' in html.replace("&amp;", "&")
    assert "&unassigned=true" in html.replace("&amp;", "&")  # the 未交办 row's link

    # The rest: the list behind the link, 50 a page.
    first = client.get(rest).content.decode()
    assert "共 60 条" in first and first.count("批量堵点") == 50
    second = client.get(rest + "&page=2").content.decode()
    assert second.count("批量堵点") == 10
    unassigned = client.get(
        f"{reverse('blocker_list')}?unassigned=true&project={project.pk}"
    ).content.decode()
    assert "未交办的批量堵点" in unassigned and "批量堵点00" not in unassigned


# --- the dispatch report ------------------------------------------------------------------------------------


def test_dispatch_tables_a_page_at_a_time_and_the_word_file_whole(
    org: Any, users: Any, client_for: Any
) -> None:
    district = District.objects.get(adcode="370303")  # 张店: empty in the demo
    admin = users["city_admin"]
    department = DepartmentFactory(district=district, name="张店区分页测试局", short_name="分页测试")
    projects = [ProjectFactory(district=district, name=f"分页项目{n}") for n in range(3)]
    count = DISPATCH_ROWS_PER_PAGE + 12
    Blocker.objects.bulk_create(
        Blocker(
            project=projects[n % 3],
            title=f"分页堵点{n:03d}",
            department=department,
            deadline=D(2026, 12, 31),
            status=Blocker.Status.ASSIGNED,
            raised_by=admin,
        )
        for n in range(count)
    )
    report = dispatch_build(
        district=district,
        period_start=D(2026, 11, 1),
        period_end=D(2026, 11, 15),
        user=admin,
        today=D(2026, 11, 20),
    )
    client = client_for("city_admin")
    html = client.get(reverse("dispatch_detail", args=[report.pk])).content.decode()
    assert "未解决堵点 62 个" in html  # the section's line counts them all
    table = html[html.index('id="table-blockers-1"') :]
    table = table[: table.index("</table>")]
    assert table.count("分页堵点") == DISPATCH_ROWS_PER_PAGE
    assert f'data-total="{count}"' in html
    assert f"显示第 1–{DISPATCH_ROWS_PER_PAGE} 项,共 {count} 项" in html
    more = reverse("dispatch_table", args=[report.pk, "blockers-1"])
    assert f'hx-get="{more}?page=2"' in html

    second = client.get(more + "?page=2", HTTP_HX_REQUEST="true")
    fragment = second.content.decode()
    assert second.status_code == 200 and "<html" not in fragment
    assert fragment.count("分页堵点") == 12 and "分页堵点000" not in fragment
    assert f"显示第 {DISPATCH_ROWS_PER_PAGE + 1}–{count} 项,共 {count} 项" in fragment
    alone = client.get(more + "?page=2").content.decode()  # without HTMX: a page of its own
    assert "<html" in alone and "未销号堵点" in alone and alone.count("分页堵点") == 12
    assert client.get(reverse("dispatch_table", args=[report.pk, "nothing-9"])).status_code == 404
    assert client_for("linzi_admin").get(more).status_code == 404  # Zhangdian is not Linzi's

    word = docx.Document(io.BytesIO(report.document.read()))
    items = next(t for t in word.tables if [c.text for c in t.rows[0].cells][:2] == ["项目", "堵点"])
    titles = [row.cells[1].text for row in items.rows[1:]]
    assert sorted(titles) == [f"分页堵点{n:03d}" for n in range(count)]
