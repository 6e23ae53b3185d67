"""A run started from the web executes in a background thread of the web process."""

from __future__ import annotations

import time

from django.conf import LazySettings

from ombuds.analysis.models import RunStatus
from tests.analysis.helpers import NGO, PRESS, import_list, start_run
from tests.conftest import World


def test_a_run_executes_in_the_background_and_reports_progress(
    tx_world: World, settings: LazySettings
) -> None:
    settings.OMBUDS_ANALYSIS_INLINE_RUNS = False
    client = tx_world.client_for("analyst")
    ngo = import_list(client, "NGO", NGO)
    press = import_list(client, "Press", PRESS)
    run = start_run(client, [ngo, press], unique=[ngo, press])
    deadline = time.monotonic() + 120
    seen_running = False
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status == RunStatus.RUNNING:
            seen_running = True
            page = client.get(f"/en/staff/analysis/runs/{run.public_id}/").content.decode()
            assert 'http-equiv="refresh"' in page
        if not run.active:
            break
        time.sleep(0.2)
    assert run.status == RunStatus.DONE, run.failure
    assert run.cluster_count == 4
    assert seen_running or run.finished_at is not None
