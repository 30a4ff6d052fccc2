"""Field lists declared once: the form's list beside the model; the API and the files derive theirs from it."""

from __future__ import annotations

from typing import Any

import pytest

from zhaoshang.core.declarations import api_fields, configs, field_list, file_fields


def test_lists_are_derived_in_order() -> None:
    fields = ["district", "name", "town", "boundary"]
    assert field_list(fields, after={"name": ["code"]}, leave_out=["town"]) == [
        "district",
        "name",
        "code",
        "boundary",
    ]
    # What goes after a left-out field keeps its place.
    assert field_list(fields, after={"town": ["x"]}, leave_out=["town"]) == [
        "district",
        "name",
        "x",
        "boundary",
    ]
    assert api_fields(fields, "extra", after={"district": ["d2"]}) == [
        "id",
        "district",
        "d2",
        "name",
        "town",
        "boundary",
        "extra",
        "created",
        "updated",
    ]
    assert file_fields(fields, leave_out=["boundary"]) == ("district", "district_name", "name", "town")


def _form_fields(config: Any) -> list[str]:
    meta = getattr(config.form, "_meta", None)
    return list(getattr(meta, "fields", None) or [])


@pytest.mark.parametrize("config", configs(), ids=lambda c: c.key)
def test_the_api_serves_every_field_the_form_edits(config: Any) -> None:
    serializer_fields = list(config.serializer.Meta.fields)
    assert serializer_fields[0] == "id" and serializer_fields[-2:] == ["created", "updated"]
    assert set(_form_fields(config)) <= set(serializer_fields)
