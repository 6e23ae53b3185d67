"""Errors of the estimation package."""

from __future__ import annotations


class EstimationRefused(Exception):
    """The data cannot support an estimate; ``reason`` says why in plain words.

    Raised instead of returning a number when, e.g., fewer than 3 lists saw anyone, the maximum
    likelihood estimate does not exist, or the model is not identifiable from the data.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
