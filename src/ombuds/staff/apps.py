from django.apps import AppConfig
from django.db.backends.signals import connection_created


class StaffConfig(AppConfig):
    name = "ombuds.staff"
    label = "staff"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy check of alert mail
        from .datafiles import sqlite_files_private

        connection_created.connect(sqlite_files_private, dispatch_uid="ombuds.sqlite_private")
