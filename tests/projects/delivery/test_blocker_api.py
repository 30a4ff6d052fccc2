"""The blocker's transitions on the API: the same services, scope and refusals as its page, audited as `api`."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhaoshang.projects.delivery.blockers import blocker_raise, blocker_solve
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Blocker, Project

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def project(org: Any) -> Project:
    return ProjectFactory(district=org["linzi_district"], name="接口堵点项目")


@pytest.fixture
def api_for(users: Any) -> Any:
    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(users[username])
        return client

    return make


def _url(blocker: Blocker, action: str) -> str:
    return f"/api/blocker/{blocker.pk}/{action}/"


def _last(blocker: Blocker) -> Any:
    return blocker.history.order_by("-history_date", "-history_id").first()


def test_the_whole_lifecycle_through_the_api_is_audited(
    org: Any, users: Any, project: Project, api_for: Any
) -> None:
    land = org["linzi"]["departments"]["自然资源"]
    blocker = blocker_raise(project=project, title="接口用地指标", user=users["linzi_chief"])
    admin, clerk = api_for("linzi_admin"), api_for("linzi_clerk")

    deadline = (TODAY + 10 * DAY).isoformat()
    response = admin.post(
        _url(blocker, "assign"), {"department": land.pk, "deadline": deadline}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "assigned" and response.json()["department"] == land.pk
    assert (_last(blocker).history_user, _last(blocker).history_change_reason) == (
        users["linzi_admin"],
        "api",
    )

    response = clerk.post(_url(blocker, "progress"), {"note": "已上报市局"}, format="json")
    assert response.status_code == 200 and "已上报市局" in response.json()["description"]
    response = clerk.post(_url(blocker, "solve"), {"solution": "市局调剂 50 亩"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["solved_date"]) == ("solved", TODAY.isoformat())

    response = admin.post(_url(blocker, "reopen"), {"reason": "指标未下达"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    clerk.post(_url(blocker, "solve"), {"solution": "已下达", "date": TODAY.isoformat()}, format="json")
    response = admin.post(_url(blocker, "strike-off"), format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["struck_off_by"]) == (
        "struck_off",
        users["linzi_admin"].pk,
    )

    trail = [
        (h.status, h.history_user.username, h.history_change_reason)
        for h in blocker.history.order_by("history_date", "history_id")
    ]
    assert trail == [
        ("raised", "linzi_chief", "web"),
        ("assigned", "linzi_admin", "api"),
        ("in_progress", "linzi_clerk", "api"),
        ("solved", "linzi_clerk", "api"),
        ("in_progress", "linzi_admin", "api"),
        ("solved", "linzi_clerk", "api"),
        ("struck_off", "linzi_admin", "api"),
    ]


def test_out_of_scope_is_404_and_changes_nothing(
    org: Any, users: Any, project: Project, api_for: Any
) -> None:
    blocker = blocker_raise(
        project=project,
        title="桓台看不到的堵点",
        user=users["linzi_admin"],
        department=org["linzi"]["departments"]["住建"],
        deadline=TODAY + DAY,
    )
    blocker_solve(blocker=blocker, solution="已解决", date=TODAY, user=users["linzi_admin"])
    outsider = api_for("huantai_admin")
    bodies = {
        "assign": {"department": org["huantai"]["departments"]["住建"].pk, "deadline": TODAY.isoformat()},
        "progress": {"note": "x"},
        "solve": {"solution": "x"},
        "strike-off": {},
        "reopen": {"reason": "x"},
    }
    for action, body in bodies.items():
        response = outsider.post(_url(blocker, action), body, format="json")
        assert response.status_code == 404, (action, response.content)
    assert api_for("linzi_admin").post("/api/blocker/999999/strike-off/", format="json").status_code == 404
    blocker.refresh_from_db()
    assert blocker.status == "solved" and blocker.history.count() == 2


def test_refused_transitions_are_400_with_the_reason(
    org: Any, users: Any, project: Project, api_for: Any
) -> None:
    linzi, huantai = org["linzi"]["departments"], org["huantai"]["departments"]
    blocker = blocker_raise(project=project, title="未交办的堵点", user=users["linzi_admin"])
    admin = api_for("linzi_admin")

    def refused(action: str, body: dict[str, Any], api: APIClient = admin) -> str:
        response = api.post(_url(blocker, action), body, format="json")
        assert response.status_code == 400, (action, response.content)
        return str(response.json()["detail"])

    assert "只能对已解决的堵点销号(当前:已提出)" in refused("strike-off", {})
    assert "尚未交办责任部门" in refused("progress", {"note": "进展"})
    assert "交办须同时指定责任部门和办结时限" in refused("assign", {"department": linzi["住建"].pk})
    assert "办结时限不能早于今天" in refused(
        "assign", {"department": linzi["住建"].pk, "deadline": (TODAY - DAY).isoformat()}
    )
    city = api_for("city_admin")  # sees both districts: the department is found, the service refuses it
    assert "责任部门须属于项目所在区县" in refused(
        "assign", {"department": huantai["住建"].pk, "deadline": TODAY.isoformat()}, city
    )
    assert "请填写解决情况" in refused("solve", {"solution": "  "})
    assert "解决日期不能晚于今天" in refused("solve", {"solution": "好了", "date": (TODAY + DAY).isoformat()})
    assert "只能退回已解决" in refused("reopen", {"reason": "不行"})
    # Linzi's admin does not see Huantai's departments: an unknown choice, as for any related field.
    response = admin.post(
        _url(blocker, "assign"),
        {"department": huantai["住建"].pk, "deadline": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "department" in response.json()
    blocker.refresh_from_db()
    assert (blocker.status, blocker.history.count()) == ("raised", 1)


def test_verify_right_token_auth_and_schema(org: Any, users: Any, project: Project, api_for: Any) -> None:
    blocker = blocker_raise(
        project=project,
        title="待销号的堵点",
        user=users["linzi_admin"],
        department=org["linzi"]["departments"]["住建"],
        deadline=TODAY + DAY,
    )
    blocker_solve(blocker=blocker, solution="已解决", date=TODAY, user=users["linzi_admin"])
    response = api_for("linzi_clerk").post(_url(blocker, "strike-off"), format="json")  # no verify right
    assert response.status_code == 403 and "审核权限" in response.json()["detail"]
    assert APIClient().post(_url(blocker, "strike-off")).status_code == 401
    token = Token.objects.create(user=users["linzi_admin"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post(_url(blocker, "strike-off")).status_code == 200
    assert _last(blocker).history_change_reason == "api"
    assert client.get(_url(blocker, "strike-off")).status_code == 405
    schema = api_for("linzi_admin").get("/api/schema/").content.decode()
    for action in ("assign", "progress", "solve", "strike-off", "reopen"):
        assert f"/api/blocker/{{id}}/{action}/" in schema
