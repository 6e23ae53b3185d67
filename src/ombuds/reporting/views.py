"""The public progress page: what the inquiry received and did, never a small cell."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ombuds.intake.models import ComplaintStatus

from . import selectors


def progress(request: HttpRequest) -> HttpResponse:
    figures = selectors.figures_of_the_week()
    complaints, cases = figures.complaints, figures.cases
    case_labels: dict[str, str] = {}
    if cases is not None:
        from ombuds.casework.models import CaseStatus

        case_labels = {s.value: str(s.label) for s in CaseStatus}
    return render(
        request,
        "reporting/progress.html",
        {
            "as_of": figures.week,
            "complaints": complaints,
            "largest_hidden": complaints.threshold - 1,
            "complaint_rows": [
                (
                    m,
                    [complaints.cells[(m, c)] for c in complaints.columns],
                    complaints.row_totals[m],
                )
                for m in complaints.rows
            ],
            "status_labels": [str(ComplaintStatus(c).label) for c in complaints.columns],
            "column_totals": [complaints.column_totals[c] for c in complaints.columns],
            "cases": None
            if cases is None
            else [(case_labels.get(c, c), cases.cells[("cases", c)]) for c in cases.columns],
        },
    )
