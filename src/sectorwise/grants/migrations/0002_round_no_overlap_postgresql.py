"""No two rounds of one program overlap in time: an exclusion constraint on PostgreSQL (btree_gist for the
program's equality). SQLite has no exclusion constraints; there the service (``round_create``) refuses it,
and SQLite's serialised writers (BEGIN IMMEDIATE) leave no race between its check and its insert.

RunPython rather than ``AddConstraint(ExclusionConstraint(...))``: a constraint in the model's Meta would be
created on SQLite too, which cannot."""

from django.db import migrations

CONSTRAINT = "grants_round_no_overlap"


def add_exclusion(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE grants_round ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(program_id WITH =, daterange(opens_on, closes_on, '[]') WITH &&)"
    )


def drop_exclusion(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE grants_round DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion, drop_exclusion)]
