"""What the public progress page has published: one frozen set of figures per week."""

from __future__ import annotations

from django.db import models


class PublishedFigures(models.Model):
    """The figures of one week, as safe tables (already suppressed), frozen when first made.

    ``week`` is the Monday they are as of: they count complaints received before that day.
    Publishing once a week, never recomputing, means that two visits a day apart see the same
    figures, so the difference cannot point at one complaint received or closed that day.
    """

    week = models.DateField(unique=True)
    made_on = models.DateField()
    figures = models.JSONField()

    class Meta:
        ordering = ["-week"]

    def __str__(self) -> str:
        return f"figures as of {self.week}"
