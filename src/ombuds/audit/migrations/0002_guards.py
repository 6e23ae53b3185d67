"""Triggers that refuse UPDATE/DELETE/TRUNCATE on the audit tables (SQLite, PostgreSQL)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from ombuds.audit import guards

    guards.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from ombuds.audit import guards

    guards.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
