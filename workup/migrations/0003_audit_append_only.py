"""Database-level protection of the audit trail: rows can be inserted, never changed or removed.

PostgreSQL refuses UPDATE and DELETE with a trigger (TRUNCATE, used only by test flushes, is a
table operation and stays possible). SQLite refuses UPDATE; its DELETE stays open because
Django's test flush deletes rows there, and the model and queryset already refuse deletes.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION workup_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workup_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workup_auditevent_no_update BEFORE UPDATE OR DELETE ON workup_auditevent
    FOR EACH ROW EXECUTE FUNCTION workup_auditevent_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS workup_auditevent_no_update ON workup_auditevent;
DROP FUNCTION IF EXISTS workup_auditevent_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER workup_auditevent_no_update BEFORE UPDATE ON workup_auditevent
BEGIN SELECT RAISE(ABORT, 'workup_auditevent is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS workup_auditevent_no_update;"

SQL = {"postgresql": (POSTGRES_UP, POSTGRES_DOWN), "sqlite": (SQLITE_UP, SQLITE_DOWN)}


def _run(apps, schema_editor, index: int) -> None:
    statements = SQL.get(schema_editor.connection.vendor)
    if statements:
        schema_editor.execute(statements[index])


def forwards(apps, schema_editor):
    _run(apps, schema_editor, 0)


def backwards(apps, schema_editor):
    _run(apps, schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("workup", "0002_saved_workups")]

    operations = [migrations.RunPython(forwards, backwards)]
