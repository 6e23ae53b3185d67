"""The project's URLs plus the audit pages, until ombuds/urls.py includes them."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from ombuds.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *i18n_patterns(
        path("staff/audit/", include("ombuds.audit.urls")),
        prefix_default_language=True,
    ),
    *project_urlpatterns,
]
