"""The project list (项目库): the same number of queries however many projects and filter choices there are,
and the filters' selects written as Django writes them (core.filters.ListSelect), only faster."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.chains.factories import ChainFactory
from zhaoshang.core.factories import ParkFactory, TeamFactory, TownFactory
from zhaoshang.core.filters import ListSelect
from zhaoshang.core.generic.display import choice_label
from zhaoshang.core.models import Town
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_project_list_queries_do_not_grow_with_projects_or_choices(org: Any, client_for: Any) -> None:
    url = reverse("project_list")
    readers = {who: client_for(who) for who in ("city_admin", "linzi_admin")}
    before = {who: _queries(client, url) for who, client in readers.items()}
    filtered = url + "?stage=signed&status=on_track"
    before_filtered = _queries(readers["linzi_admin"], filtered)

    district = org["linzi_district"]
    places = [
        (
            ChainFactory(district=district, name=f"加链{i}"),
            TownFactory(district=district, name=f"加镇{i}"),
            ParkFactory(district=district, name=f"加园{i}"),
            TeamFactory(district=district, name=f"加专班{i}"),
        )
        for i in range(8)
    ]
    for i in range(70):  # more than a page (50), every column and link filled
        chain, town, park, team = places[i % len(places)]
        ProjectFactory(district=district, name=f"加项目{i:02d}", chain=chain, town=town, park=park, team=team)

    after = {who: _queries(client, url) for who, client in readers.items()}
    assert after == before
    assert _queries(readers["linzi_admin"], filtered) == before_filtered
    html = readers["linzi_admin"].get(url).content.decode()
    assert html.count('href="/project/') >= 50 and "加链7" in html  # a full page; the new chains are offered


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def test_list_select_writes_what_django_writes(org: Any) -> None:
    grouped = [("", "全部"), ("近郊", [("a", "甲 <镇>"), ("b", "乙")]), ("c", "丙 & 丁")]
    for choices, value in ((grouped, "b"), (grouped, None), ([("x", "X"), ("y", "Y")], "y")):
        attrs = {"class": "form-select", "aria-label": "镇办", "id": "id_town"}
        assert _normal(ListSelect(attrs=attrs, choices=choices).render("town", value)) == _normal(
            forms.Select(attrs=attrs, choices=choices).render("town", value)
        )
    towns = Town.objects.filter(district=org["linzi_district"])
    field = forms.ModelChoiceField(queryset=towns, empty_label="全部")
    chosen = towns.first().pk
    django_html = forms.Select(choices=field.choices).render("town", chosen)
    assert _normal(ListSelect(choices=field.choices).render("town", chosen)) == _normal(django_html)
    assert "selected" in django_html


def test_choice_labels_are_those_of_get_display(org: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    for name in ("stage", "status", "tier", "investor_origin"):
        field = Project._meta.get_field(name)
        for value, _label in field.flatchoices:
            setattr(project, name, value)
            assert choice_label(project, field, value) == getattr(project, f"get_{name}_display")()
    project.stage = "no-such-stage"
    assert choice_label(project, Project._meta.get_field("stage"), "no-such-stage") == "no-such-stage"
