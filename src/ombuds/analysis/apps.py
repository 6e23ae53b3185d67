from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "ombuds.analysis"
    label = "analysis"
    default_auto_field = "django.db.models.BigAutoField"
