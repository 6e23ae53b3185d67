from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "ombuds.evidence"
    label = "evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the case file's font check
