"""Limits on runs (issue 13): a heartbeat, and one active run per agency.

Before the constraint, every queued or running run but each agency's newest is marked failed:
older code allowed several, and such runs died with the process that ran them long ago (the
newest, if it is dead too, is marked failed by its page, the next start or the purge)."""

from django.db import migrations, models


def fail_extra_active_runs(apps, schema_editor):  # type: ignore[no-untyped-def]
    LinkageRun = apps.get_model("analysis", "LinkageRun")
    active = LinkageRun.objects.filter(status__in=["queued", "running"]).order_by(
        "agency_id", "-number"
    )
    seen = set()
    extra = []
    for pk, agency_id in active.values_list("pk", "agency_id"):
        if agency_id in seen:
            extra.append(pk)
        seen.add(agency_id)
    LinkageRun.objects.filter(pk__in=extra).update(
        status="failed",
        failure="the run stopped without finishing; start it again",
        details={"failure": {"code": "stopped"}},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0003_victims_and_model_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="linkagerun",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fail_extra_active_runs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="linkagerun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("agency",),
                name="one_active_run_per_agency",
            ),
        ),
    ]
