from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from ombuds.intake.languages import public_only_redirects

urlpatterns = [
    # /ce/staff/... -> /ru/staff/...: the staff site is not translated into Chechen.
    *public_only_redirects(),
    *i18n_patterns(
        path("staff/", include("ombuds.staff.urls")),
        path("staff/cases/", include("ombuds.casework.urls")),
        path("staff/evidence/", include("ombuds.evidence.urls")),
        path("staff/analysis/", include("ombuds.analysis.urls")),
        path("staff/audit/", include("ombuds.audit.urls")),
        path("progress/", include("ombuds.reporting.urls")),
        path("", include("ombuds.intake.urls")),
        prefix_default_language=True,
    ),
]

handler400 = "ombuds.intake.views.bad_request"
