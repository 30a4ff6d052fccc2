"""The search select: a choice among thousands of rows lists only the chosen one and searches the rest, in scope."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import signing
from django.urls import reverse

from zhaoshang.core.models import District
from zhaoshang.core.search_select import SALT, SEARCH_LIMIT, SEARCH_THRESHOLD, ChoiceSource
from zhaoshang.projects.delivery.forms import TaskForm
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.forms import FundsEntryForm
from zhaoshang.projects.models import FundsEntry, Project

pytestmark = pytest.mark.django_db


def _many_projects(district: District, count: int, prefix: str) -> list[Project]:
    rows = ProjectFactory.build_batch(count, district=district)
    for index, row in enumerate(rows):
        row.name = f"{prefix}{index:04d}"
    return Project.objects.bulk_create(rows)


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, f"no select {name}"
    return match.group(0)


def _lookup(client: Any, source: ChoiceSource | str, q: str = "") -> Any:
    token = source if isinstance(source, str) else source.sign()
    return client.get(reverse("search_select"), {"source": token, "q": q})


def _values(html: str) -> list[str]:
    return re.findall(r'<option value="(\d+)"', html)


@pytest.fixture
def linzi_many(org: Any) -> list[Project]:
    return _many_projects(org["linzi_district"], SEARCH_THRESHOLD + 10, "检索项目")


def test_small_choices_keep_the_plain_select(org: Any, client_for: Any) -> None:
    huantai = Project.objects.filter(district__adcode="370321")  # Linzi's book is past the threshold
    assert 0 < huantai.count() <= SEARCH_THRESHOLD
    html = client_for("huantai_admin").get(reverse("funds_add")).content.decode()
    select = _select(html, "project")
    assert (
        "/search-select/" not in html
    )  # no search box for this field (the header's global search is another)
    assert len(_values(select)) == huantai.count()


def test_large_choices_render_only_the_chosen_option(org: Any, client_for: Any, linzi_many: Any) -> None:
    client = client_for("linzi_admin")
    html = client.get(reverse("funds_add")).content.decode()
    assert _values(_select(html, "project")) == []
    search = re.search(r'<input type="search"[^>]*>', html).group(0)
    assert 'hx-get="/search-select/?source=' in search and 'hx-target="next select"' in search
    assert 'placeholder="输入名称搜索"' in search and 'aria-controls="id_project"' in search
    assert 'form=""' in search  # not part of the form: Enter does not submit it, and it is not posted
    chosen = linzi_many[5]
    html = client.get(reverse("funds_add"), {"project": chosen.pk}).content.decode()
    select = _select(html, "project")
    assert _values(select) == [str(chosen.pk)]
    assert f'<option value="{chosen.pk}" selected>{chosen.name}</option>' in select
    # Small choices of the same form stay ordinary selects.
    assert len(re.findall(r'<input type="search"', html)) == 1


def test_a_form_that_narrows_the_queryset_keeps_a_plain_select(org: Any, users: Any, linzi_many: Any) -> None:
    # The task form limits the steps to the chosen project's: the signed source would no longer describe them.
    form = TaskForm(user=users["linzi_admin"])
    assert 'type="search"' in str(form["project"])
    assert 'type="search"' not in str(form["step"])


def test_lookup_returns_matches_in_scope(org: Any, users: Any, client_for: Any, linzi_many: Any) -> None:
    huantai = District.objects.get(adcode="370321")
    outsider = _many_projects(huantai, 3, "检索项目桓台")
    client = client_for("linzi_admin")
    source = ChoiceSource(model=Project)
    answer = _lookup(client, source, "检索项目000")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.startswith('<option value="">—</option>')
    names = re.findall(r'<option value="\d+">([^<]+)</option>', html)
    assert names == [f"检索项目{i:04d}" for i in range(10)]  # by name
    # Capped, with a note to type more.
    html = _lookup(client, source, "检索项目").content.decode()
    assert len(_values(html)) == SEARCH_LIMIT and "仅显示前 30 条" in html
    assert "没有匹配的记录" in _lookup(client, source, "无此项目").content.decode()
    # Another district's rows never come back: not by name, not with a source signed for their district.
    for token in (source, ChoiceSource(model=Project, filters={"district_id": huantai.pk})):
        assert not set(_values(_lookup(client, token, "桓台").content.decode())) & {
            str(p.pk) for p in outsider
        }
    assert set(_values(_lookup(client_for("huantai_admin"), source, "桓台").content.decode())) == {
        str(p.pk) for p in outsider
    }
    # The signed filters are applied: only what the form would accept.
    narrowed = ChoiceSource(model=Project, excludes={"name": "检索项目0001"})
    assert "检索项目0001" not in _lookup(client, narrowed, "检索项目000").content.decode()


def test_lookup_refuses_forged_and_unsigned_input(org: Any, client_for: Any) -> None:
    huantai = District.objects.get(adcode="370321")
    client = client_for("linzi_admin")
    url = reverse("search_select")
    payload = {"model": "projects.Project", "action": "view", "filters": {"district_id": huantai.pk}}
    forged = signing.dumps(payload, key="not-the-secret-key", salt=SALT, compress=True)
    token = ChoiceSource(model=Project, filters={"district_id": org["linzi_district"].pk}).sign()
    value, signature = token.rsplit(":", 1)
    altered = signing.dumps(payload, salt="another-salt", compress=True)
    for params in (
        {"source": forged, "q": "项目"},
        {"source": f"{value}x:{signature}", "q": "项目"},
        {"source": altered, "q": "项目"},
        {"model": "projects.Project", "filters": json.dumps({"district_id": huantai.pk}), "q": "项目"},
        {"q": "项目"},
    ):
        assert client.get(url, params).status_code == 400, params
    # Signed, but naming a model that is not scoped, or an unknown action.
    user_model = signing.dumps({"model": "auth.User", "action": "view"}, salt=SALT)
    bad_action = signing.dumps({"model": "projects.Project", "action": "everything"}, salt=SALT)
    for token in (user_model, bad_action):
        assert client.get(url, {"source": token}).status_code == 400
    anonymous = client_for("linzi_admin").__class__().get(url, {"source": ChoiceSource(model=Project).sign()})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_posting_a_chosen_project_through_the_generic_form(
    org: Any, users: Any, client_for: Any, linzi_many: Any
) -> None:
    client = client_for("linzi_admin")
    chosen = linzi_many[42]
    data = {"project": chosen.pk, "date": "2026-05-01", "amount": "1200", "origin": "local", "kind": "fixed"}
    answer = client.post(reverse("funds_add"), data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert FundsEntry.objects.get(project=chosen).amount == 1200
    # Validation still checks the whole (restricted) queryset: another district's project is refused.
    outsider = _many_projects(District.objects.get(adcode="370321"), 1, "桓台项目")[0]
    answer = client.post(reverse("funds_add"), {**data, "project": outsider.pk})
    assert answer.status_code == 400 and not FundsEntry.objects.filter(project=outsider).exists()
    # Re-shown with its error, a value that is no key shows no option rather than failing.
    form = FundsEntryForm(data={**data, "project": "x"}, user=users["linzi_admin"])
    assert not form.is_valid() and _values(str(form["project"])) == []


def test_narrowed_choices_keep_the_search_in_step(
    org: Any, users: Any, client_for: Any, linzi_many: Any
) -> None:
    from zhaoshang.core.search_select import narrow_choices

    form = FundsEntryForm(user=users["linzi_admin"])
    narrow_choices(form.fields["project"], name__startswith="检索项目00")
    html = str(form["project"])
    assert 'type="search"' not in html  # 100 rows now: an ordinary select of exactly those
    assert len(_values(html)) == 100
    form = FundsEntryForm(user=users["linzi_admin"])
    narrow_choices(form.fields["project"], name__startswith="检索项目")
    html = str(form["project"])
    token = re.search(r'source=([^"&]+)', html).group(1)
    # Without the narrowing the demo's 年产…项目 would sort first; with it, only the narrowed rows come back.
    found = _values(_lookup(client_for("linzi_admin"), token, "项目").content.decode())
    assert len(found) == SEARCH_LIMIT and set(found) <= {str(p.pk) for p in linzi_many}


def test_a_disabled_choice_shows_its_value_without_a_search_box(
    org: Any, users: Any, linzi_many: Any
) -> None:
    form = FundsEntryForm(user=users["linzi_admin"], initial={"project": linzi_many[3].pk})
    form.fields["project"].disabled = True
    html = str(form["project"])
    assert 'type="search"' not in html and _values(html) == [str(linzi_many[3].pk)] and "disabled" in html
