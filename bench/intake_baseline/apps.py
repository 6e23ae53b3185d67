from django.apps import AppConfig


class BaselineConfig(AppConfig):
    name = "intake_baseline"
    default_auto_field = "django.db.models.BigAutoField"
