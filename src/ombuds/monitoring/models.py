"""The heartbeats of the background processes: one row per process kind, its last beat.

Nothing else: no host, no process id, nothing about what the process worked on.
"""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    WORKER = "worker"  # written by a task the worker runs (``worker_heartbeat_task``)
    SCHEDULER = "scheduler"  # written by ``ombuds scheduler`` each round

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
