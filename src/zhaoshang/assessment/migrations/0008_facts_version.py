"""The facts version per district (`assessment.facts`), kept by database triggers.

Every write that changes what a district's project facts read changes its version in the same transaction:
projects (both districts when one moves), their stage moves, funds entries, outputs, listings and completed
investment, and the names the facts group by (district, city, chain, town, park). Triggers rather than service
code because imports (``bulk_create``), the province generator's COPY, ``.update()`` calls and data migrations
write without passing through services or signals; a trigger is a storage invariant like a foreign key.

PostgreSQL: statement-level triggers with transition tables (a COPY of 300,000 projects bumps each district once
per statement, not once per row), versions drawn from a sequence so that a number is never given twice, not even
after a rolled-back transaction (whose figures may already sit in a shared cache under that number). SQLite
(development, tests): row-level triggers, the version raised by a random step for the same reason.
"""

import django.db.models.deletion
from django.db import migrations, models

from zhaoshang.assessment.facts_triggers import install, uninstall


def forward(apps, schema_editor):
    install(schema_editor.connection)


def backward(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_level_settings"),
        ("core", "0008_province_zones"),
        ("chains", "0004_record_version"),
        ("projects", "0012_listing_year_bounds"),
    ]

    operations = [
        migrations.CreateModel(
            name="FactsVersion",
            fields=[
                (
                    "district",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="facts_version",
                        serialize=False,
                        to="core.district",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
