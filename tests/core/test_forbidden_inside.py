"""403 inside, 404 outside: a refused action on a record of one's own district says why; another district's
record stays a 404, as if it did not exist."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhaoshang.core.declarations import config_for_key
from zhaoshang.core.scope import ensure_allowed, get_allowed
from zhaoshang.core.testing import url
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project, StageMove

OK, FORBIDDEN, HIDDEN = "ok", 403, 404

# What each persona gets for each action on a Linzi project (add: adding records under it, e.g. its tasks).
EXPECTED = {
    "city_admin": dict.fromkeys(("view", "add", "change", "delete", "verify", "export"), OK),
    "linzi_admin": dict.fromkeys(("view", "add", "change", "delete", "verify", "export"), OK),
    "linzi_chief": {
        "view": OK, "add": OK, "change": OK, "delete": FORBIDDEN, "verify": FORBIDDEN, "export": OK,
    },
    "linzi_clerk": {
        "view": OK, "add": FORBIDDEN, "change": OK, "delete": FORBIDDEN, "verify": FORBIDDEN,
        "export": FORBIDDEN,
    },
    "huantai_admin": dict.fromkeys(("view", "add", "change", "delete", "verify", "export"), HIDDEN),
}  # fmt: skip
CASES = [(who, action, outcome) for who, actions in EXPECTED.items() for action, outcome in actions.items()]


@pytest.mark.parametrize(("who", "action", "outcome"), CASES)
def test_each_persona_each_action(org: Any, users: Any, who: str, action: str, outcome: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    user = users[who]
    if outcome == OK:
        ensure_allowed(user, action, project)
        assert get_allowed(Project.objects, user, action, pk=project.pk) == project
    elif outcome == FORBIDDEN:
        with pytest.raises(PermissionDenied, match=r"^你的角色\(.+\)不能"):
            ensure_allowed(user, action, project)
    else:
        with pytest.raises(Http404):
            ensure_allowed(user, action, project)
        with pytest.raises(Http404):
            get_allowed(Project.objects, user, action, pk=project.pk)


def test_the_reason_names_the_role_the_action_and_the_record(
    org: Any, users: Any, as_test_actor: Any
) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    move = StageMove.objects.create(
        project=project,
        from_stage="negotiation",
        to_stage="signed",
        date=datetime.date.today(),
        requested_by=users["linzi_chief"],
    )
    with pytest.raises(PermissionDenied) as refused:
        ensure_allowed(users["linzi_chief"], "verify", move)
    assert str(refused.value) == "你的角色(链长)不能审核阶段变更"
    with pytest.raises(PermissionDenied) as refused:
        ensure_allowed(users["linzi_clerk"], "delete", project)
    assert str(refused.value) == "你的角色(部门经办人、地块数据管理员)不能删除项目"


def test_pages_answer_403_with_the_reason_inside_and_404_outside(org: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], name="某储能电池项目")
    config = config_for_key("project")
    refused = client_for("linzi_chief").post(url(config, "delete", project.pk))
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "你的角色(链长)不能删除项目" in html and 'id="refusal"' in html
    assert client_for("linzi_chief").get(url(config, "delete", project.pk)).status_code == 403
    assert client_for("huantai_admin").post(url(config, "delete", project.pk)).status_code == 404
    assert client_for("huantai_admin").get(url(config, "edit", project.pk)).status_code == 404
    assert Project.objects.filter(pk=project.pk).exists()
    # A page that adds a kind of record the person may not add: 403 too, naming the kind.
    enterprises = config_for_key("enterprise")
    response = client_for("linzi_clerk").get(url(enterprises, "add"))
    assert response.status_code == 403
    assert f"不能新增{Enterprise._meta.verbose_name}" in response.content.decode()
    # The district's administrator may.
    assert client_for("linzi_admin").get(url(config, "edit", project.pk)).status_code == 200


def test_the_reason_is_text_not_markup(org: Any, users: Any, client_for: Any, as_test_actor: Any) -> None:
    from zhaoshang.core.models import Role

    role = Role.objects.get(code="chain_chief")
    Role.objects.filter(pk=role.pk).update(name="<b>链长</b>")
    project = ProjectFactory(district=org["linzi_district"])
    html = (
        client_for("linzi_chief").post(url(config_for_key("project"), "delete", project.pk)).content.decode()
    )
    assert "&lt;b&gt;链长&lt;/b&gt;" in html and "<b>链长</b>" not in html
