"""Reports read a replica, everything else and every write the primary, and a user who just wrote reads the primary.

The replica here is a second connection to the test database (a mirror, as in `DATABASE_REPLICA_URL` pointing at
a streaming replica): which connection a page's queries go through is what the router decides, so that is what the
tests count.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.models import Park
from zhaoshang.core.routers import REPLICA, ReplicaRouter


@pytest.fixture
def replica(settings: Any) -> Any:
    """The suite's mirror alias (tests/conftest.py), with routing to it turned on as DATABASE_REPLICA_URL does."""
    settings.REPLICA_ENABLED = True
    return connections[REPLICA]


def _queries(alias: str, client: Any, url: str) -> int:
    with CaptureQueriesContext(connections[alias]) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_dashboards_read_the_replica_until_the_user_writes(
    org_committed: Any, client_for: Any, replica: Any
) -> None:
    cache.clear()
    admin = client_for("linzi_admin")
    assert _queries(REPLICA, admin, "/assessment/") > 0
    # A list is not a report: it reads the primary.
    assert _queries(REPLICA, admin, "/project/") == 0

    park = Park.objects.get(name="齐鲁化学工业区")
    edit = admin.get(f"/park/{park.pk}/edit/")
    assert edit.status_code == 200
    data = {
        "_version": park.edit_version,
        "district": park.district_id,
        "name": park.name,
        "kind": park.kind,
        "area_mu": "4321",
        "is_chemical_park": "on" if park.is_chemical_park else "",
        "chemical_park_list": park.chemical_park_list,
        "town": park.town_id or "",
        "boundary": "",
    }
    assert admin.post(f"/park/{park.pk}/edit/", data).status_code == 302
    # The person who wrote sees the primary (a replica may not have the write yet); others still read the replica.
    assert _queries(REPLICA, admin, "/assessment/") == 0
    assert _queries(REPLICA, client_for("city_admin"), "/assessment/") > 0
    cache.clear()  # the pin expired
    assert _queries(REPLICA, admin, "/assessment/") > 0


def test_without_a_replica_everything_reads_the_primary(org: Any, client_for: Any) -> None:
    assert ReplicaRouter().db_for_read(Park) == "default"
    assert client_for("linzi_admin").get("/assessment/").status_code == 200


def test_writes_and_migrations_go_to_the_primary(replica: Any) -> None:
    assert ReplicaRouter().db_for_read(Park) == "default"  # outside a report request
    router = ReplicaRouter()
    assert router.db_for_write(Park) == "default"
    assert router.allow_migrate("default", "core") and not router.allow_migrate(REPLICA, "core")
