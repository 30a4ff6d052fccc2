"""Every write is attributed; accounts are audited without their secrets; deleted records come back."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from zhaoshang.core.audit import (
    AuditError,
    acting_as,
    current_channel,
    migration_finished,
    migration_started,
    system_actor,
)
from zhaoshang.core.factories import TownFactory
from zhaoshang.core.generic.history import history_entries
from zhaoshang.core.models import Town
from zhaoshang.core.services import object_delete, object_restore, object_save


def test_user_history_never_holds_a_password(org: Any, users: Any) -> None:
    User = get_user_model()
    historical_fields = {f.name for f in User.history.model._meta.fields}
    assert "password" not in historical_fields and "last_login" not in historical_fields
    user = users["linzi_clerk"]
    with acting_as(users["linzi_admin"], "web"):
        user.set_password("a-new-secret-42")
        user.first_name = "新名字"
        user.save()
    record = user.history.first()
    assert record.history_user == users["linzi_admin"]
    assert "a-new-secret-42" not in str(record.__dict__) and user.password not in str(record.__dict__)


def test_writes_outside_any_request_carry_the_named_actor(org: Any) -> None:
    town = TownFactory(district=org["linzi_district"], name="无主镇")
    # A factory outside any actor's block writes as the named test actor, never as nobody.
    assert town.history.get().history_user.username == "system-test"
    assert town.history.get().history_change_reason == "system"
    actor = system_actor("worker")
    assert not actor.is_active and not actor.has_usable_password()
    # A system actor's own account is written as itself.
    assert actor.history.first().history_user == actor
    with acting_as(actor, "job"):
        assert current_channel() == "job"
        town.name = "有主镇"
        town.save()
    assert (town.history.first().history_user, town.history.first().history_change_reason) == (actor, "job")
    assert current_channel() == "system"


def test_a_write_without_an_actor_is_refused_and_writes_nothing(org: Any, users: Any) -> None:
    district = org["linzi_district"]
    with pytest.raises(AuditError, match="没有操作人"):
        Town(district=district, name="无主镇").save()
    assert not Town.objects.filter(name="无主镇").exists()
    assert not Town.history.filter(name="无主镇").exists()
    town = TownFactory(district=district, name="有主镇", code="")
    rows = town.history.count()
    town.code = "370305999"
    # Each refusal in its own transaction: Django rolls back the block an error leaves (as in a request).
    with pytest.raises(AuditError), transaction.atomic():
        town.save()
    with pytest.raises(AuditError), transaction.atomic():
        town.delete()
    with pytest.raises(AuditError), transaction.atomic():
        Town.objects.filter(pk=town.pk).delete()
    town.refresh_from_db()
    assert town.code != "370305999" and town.history.count() == rows
    assignment = users["linzi_admin"].role_assignments.get()
    with pytest.raises(AuditError), transaction.atomic():
        assignment.districts.add(org["huantai_district"])
    assert list(assignment.districts.all()) == [district]


def test_migrations_write_on_their_own_channel(org: Any) -> None:
    migration_started()
    try:
        assert current_channel() == "migrate"
        town = Town.objects.create(district=org["linzi_district"], name="迁移镇")
    finally:
        migration_finished()
    assert current_channel() == "system"
    record = town.history.get()
    assert record.history_user is None and record.history_change_reason == "migrate"


def test_a_login_writes_no_history_row(org: Any, users: Any, client_for: Any) -> None:
    user = users["linzi_clerk"]
    rows = user.history.count()
    client_for("linzi_clerk")  # a sign-in saves last_login only, which the history leaves out
    assert user.history.count() == rows


def test_history_shows_changed_fields_with_labels(org: Any, users: Any) -> None:
    town = Town.objects.get(name="辛店街道")
    town.code = "370305001"
    object_save(instance=town, user=users["linzi_admin"])
    entries = history_entries(town)
    newest = entries[0]
    assert newest["record"].history_type == "~"
    assert [(c.field, c.old, c.new) for c in newest["changes"]] == [("乡镇代码", "", "370305001")]
    assert entries[-1]["record"].history_type == "+" and entries[-1]["changes"] == []


def test_restore_brings_back_the_same_record(org: Any, users: Any) -> None:
    town = TownFactory(district=org["linzi_district"], name="将删镇", code="123")
    pk = town.pk
    object_delete(instance=town, user=users["linzi_admin"])
    deletion = Town.history.get(id=pk, history_type="-")
    restored = object_restore(historical=deletion, user=users["linzi_admin"])
    assert restored.pk == pk and Town.objects.get(pk=pk).code == "123"
    assert Town.history.filter(id=pk).first().history_change_reason == "restore"


def test_demo_command_attributes_to_the_demo_actor(db: Any, capsys: Any) -> None:
    call_command("demo")
    out = capsys.readouterr().out
    assert "linzi_admin" in out and "huantai_admin" in out and "zhaoshang-demo" in out
    town = Town.objects.get(name="辛店街道")
    assert town.history.get().history_user.username == "system-demo"
    # Running it again keeps the data and resets only the accounts.
    call_command("demo")
    assert "仅重置演示账号" in capsys.readouterr().out
    assert Town.objects.filter(name="辛店街道").count() == 1


def test_demo_password_comes_from_the_environment(db: Any, monkeypatch: Any, client: Any) -> None:
    monkeypatch.setenv("ZHAOSHANG_DEMO_PASSWORD", "another-demo-pass")
    call_command("demo")
    assert client.login(username="huantai_admin", password="another-demo-pass")
