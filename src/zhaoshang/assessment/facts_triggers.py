"""The database triggers that keep `FactsVersion` (one row per district): every write that changes what a
district's project facts read (`assessment.facts`) changes its version in the same transaction — projects (both
districts when one moves), their stage moves, funds entries, outputs, listings and completed investment, and the
names the facts group by (district, city, chain, town, park).

Why triggers rather than service code or signals: imports (``bulk_create``), the province generator's COPY,
``.update()`` calls and data migrations all write without passing through services or signals, and one missed
path would serve stale figures with nothing to tell. A trigger is a storage invariant, like a foreign key, not
business logic (DESIGN: no logic in signals). Each vendor has its SQL:

- PostgreSQL: statement-level triggers with transition tables (a COPY of 300,000 projects bumps each district
  once per statement, not once per row); versions are drawn from a sequence, so a number is never given twice,
  not even after a rolled-back transaction whose figures may already sit in a shared cache under that number.
- SQLite (development, tests): row-level triggers; the version goes up by a random step for the same reason.

A bump locks the district's version row until the writing transaction ends: two transactions writing the same
district wait for each other (they would anyway for the same projects); a long import holds its districts.
`install` is idempotent and runs after every ``migrate`` too: SQLite silently drops a table's triggers when a
later migration rebuilds that table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

VERSIONS = "assessment_factsversion"
SEQUENCE = "assessment_facts_version_seq"
PROJECTS = "projects_project"
RELATED = (
    "projects_stagemove",
    "projects_fundsentry",
    "projects_projectoutput",
    "projects_projectlisting",
    "projects_investmentcompletion",
)
NAMED = ("chains_chain", "core_town", "core_park")  # a project points at them: chain_id, town_id, park_id
NAMED_COLUMN = {"chains_chain": "chain_id", "core_town": "town_id", "core_park": "park_id"}


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _pg_bump(districts: str) -> str:
    return f"UPDATE {VERSIONS} SET version = nextval('{SEQUENCE}') WHERE district_id IN ({districts});"


def _pg_trigger(name: str, table: str, when: str, body: str) -> list[str]:
    """A trigger function and its trigger, replaced if present."""
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND;\n$$;",
        f"DROP TRIGGER IF EXISTS {name} ON {table};",
        f"CREATE TRIGGER {name} AFTER {when} EXECUTE FUNCTION {name}();",
    ]


def _pg_statement_triggers(table: str, districts_of: Callable[[str], str]) -> list[str]:
    """Insert, update and delete triggers on ``table``, once per statement: ``districts_of`` turns a transition
    table's name into the query of the districts its rows concern (before and after, for an update)."""
    sql = []
    for op, tables in (
        ("INSERT", ("new_rows",)),
        ("UPDATE", ("new_rows", "old_rows")),
        ("DELETE", ("old_rows",)),
    ):
        referencing = " ".join(f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in tables)
        body = _pg_bump(" UNION ".join(districts_of(t) for t in tables))
        when = f"{op} ON {table} REFERENCING {referencing} FOR EACH STATEMENT"
        sql += _pg_trigger(f"{table}_facts_{op.lower()}", table, when, body)
    return sql


def _pg_renamed(table: str, condition: str, districts: str) -> list[str]:
    body = f"IF {condition} THEN\n{_pg_bump(districts)}\nEND IF;"
    return _pg_trigger(f"{table}_facts_update", table, f"UPDATE ON {table} FOR EACH ROW", body)


def _pg_forward() -> list[str]:
    sql = [f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE};"]
    sql += _pg_statement_triggers(PROJECTS, lambda t: f"SELECT district_id FROM {t}")
    for table in RELATED:
        sql += _pg_statement_triggers(
            table,
            lambda t: f"SELECT p.district_id FROM {PROJECTS} p WHERE p.id IN (SELECT project_id FROM {t})",
        )
    # A new district starts with its version row; a renamed or re-parented one is bumped.
    sql += _pg_trigger(
        "core_district_facts_insert",
        "core_district",
        "INSERT ON core_district FOR EACH ROW",
        f"INSERT INTO {VERSIONS} (district_id, version) VALUES (NEW.id, nextval('{SEQUENCE}')) "
        "ON CONFLICT (district_id) DO NOTHING;",
    )
    sql += _pg_renamed(
        "core_district",
        "NEW.name IS DISTINCT FROM OLD.name OR NEW.city_id IS DISTINCT FROM OLD.city_id",
        "NEW.id",
    )
    sql += _pg_renamed(
        "core_city",
        "NEW.name IS DISTINCT FROM OLD.name",
        "SELECT id FROM core_district WHERE city_id = NEW.id",
    )
    for table in NAMED:
        sql += _pg_renamed(
            table,
            "NEW.name IS DISTINCT FROM OLD.name",
            f"SELECT district_id FROM {PROJECTS} WHERE {NAMED_COLUMN[table]} = NEW.id",
        )
    return sql


def _pg_backward() -> list[str]:
    sql = []
    for name in sorted(trigger_names()):
        table = name.removesuffix("_facts_" + name.rsplit("_", 1)[1])
        sql += [f"DROP TRIGGER IF EXISTS {name} ON {table};", f"DROP FUNCTION IF EXISTS {name}();"]
    return [*sql, f"DROP SEQUENCE IF EXISTS {SEQUENCE};"]


# --- SQLite -------------------------------------------------------------------------------------------------

# A random step (1 to 2^20): a number given inside a transaction that rolled back is not given again.
_SQLITE_SET = "SET version = version + 1 + (random() & 1048575)"


def _sqlite_bump(districts: str) -> str:
    return f"UPDATE {VERSIONS} {_SQLITE_SET} WHERE district_id IN ({districts});"


def _sqlite_trigger(name: str, when: str, table: str, body: str, condition: str = "") -> str:
    where = f" WHEN {condition}" if condition else ""
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {when} ON {table} FOR EACH ROW{where} BEGIN {body} END;"
    )


def _sqlite_forward() -> list[str]:
    sql = [
        _sqlite_trigger(f"{PROJECTS}_facts_insert", "INSERT", PROJECTS, _sqlite_bump("NEW.district_id")),
        _sqlite_trigger(
            f"{PROJECTS}_facts_update", "UPDATE", PROJECTS, _sqlite_bump("NEW.district_id, OLD.district_id")
        ),
        _sqlite_trigger(f"{PROJECTS}_facts_delete", "DELETE", PROJECTS, _sqlite_bump("OLD.district_id")),
    ]

    def of(row: str) -> str:
        return f"SELECT district_id FROM {PROJECTS} WHERE id IN ({row})"

    for table in RELATED:
        sql += [
            _sqlite_trigger(f"{table}_facts_insert", "INSERT", table, _sqlite_bump(of("NEW.project_id"))),
            _sqlite_trigger(
                f"{table}_facts_update", "UPDATE", table, _sqlite_bump(of("NEW.project_id, OLD.project_id"))
            ),
            _sqlite_trigger(f"{table}_facts_delete", "DELETE", table, _sqlite_bump(of("OLD.project_id"))),
        ]
    sql.append(
        _sqlite_trigger(
            "core_district_facts_insert",
            "INSERT",
            "core_district",
            f"INSERT OR IGNORE INTO {VERSIONS} (district_id, version) VALUES (NEW.id, 1 + (random() & 1048575));",
        )
    )
    sql.append(
        _sqlite_trigger(
            "core_district_facts_update",
            "UPDATE",
            "core_district",
            _sqlite_bump("NEW.id"),
            "NEW.name IS NOT OLD.name OR NEW.city_id IS NOT OLD.city_id",
        )
    )
    sql.append(
        _sqlite_trigger(
            "core_city_facts_update",
            "UPDATE",
            "core_city",
            _sqlite_bump("SELECT id FROM core_district WHERE city_id = NEW.id"),
            "NEW.name IS NOT OLD.name",
        )
    )
    for table in NAMED:
        sql.append(
            _sqlite_trigger(
                f"{table}_facts_update",
                "UPDATE",
                table,
                _sqlite_bump(f"SELECT district_id FROM {PROJECTS} WHERE {NAMED_COLUMN[table]} = NEW.id"),
                "NEW.name IS NOT OLD.name",
            )
        )
    return sql


def _sqlite_backward() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name};" for name in sorted(trigger_names())]


def install(connection: Any) -> None:
    """Creates (again) every trigger and the version rows of the districts that have none: idempotent, run by
    the migration and after every ``migrate`` (SQLite drops a table's triggers when a migration rebuilds the
    table)."""
    vendor = connection.vendor
    if vendor == "postgresql":
        statements, first = _pg_forward(), f"nextval('{SEQUENCE}')"
    elif vendor == "sqlite":
        statements, first = _sqlite_forward(), "1 + (random() & 1048575)"
    else:
        raise NotImplementedError(f"facts version triggers for {vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(
            f"INSERT INTO {VERSIONS} (district_id, version) SELECT id, {first} FROM core_district "
            f"WHERE id NOT IN (SELECT district_id FROM {VERSIONS})"
        )


def uninstall(connection: Any) -> None:
    statements = _pg_backward() if connection.vendor == "postgresql" else _sqlite_backward()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed(connection: Any) -> set[str]:
    """The names of the facts triggers present in the database (a test checks all are)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", ["%\\_facts\\_%"])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%facts%'")
        return {row[0] for row in cursor.fetchall()}


def trigger_names() -> set[str]:
    names = {f"{t}_facts_{op}" for t in (PROJECTS, *RELATED) for op in ("insert", "update", "delete")}
    names |= {"core_district_facts_insert", "core_district_facts_update", "core_city_facts_update"}
    return names | {f"{t}_facts_update" for t in NAMED}
