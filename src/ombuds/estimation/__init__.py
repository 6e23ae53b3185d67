"""Multiple systems estimation: how many people were likely affected, not just documented.

Pure Python (NumPy/SciPy), no Django. The web app and the ``ombuds estimate`` command call
:func:`estimate` on a :class:`CaptureData` table and get an :class:`EstimateResult`, or an
:class:`EstimationRefused` that says why the data cannot support a number.
"""

from ombuds.estimation.data import (
    CaptureData,
    capture_data_from_clusters,
    merge_strata,
    read_clusters_csv,
    read_patterns_csv,
)
from ombuds.estimation.errors import EstimationRefused
from ombuds.estimation.loglinear import estimate_loglinear
from ombuds.estimation.result import EstimateResult

__all__ = [
    "CaptureData",
    "EstimateResult",
    "EstimationRefused",
    "capture_data_from_clusters",
    "estimate_loglinear",
    "merge_strata",
    "read_clusters_csv",
    "read_patterns_csv",
]
