"""Multiple systems estimation: how many people were likely affected, not just documented.

Pure Python (NumPy/SciPy), no Django. The web app and the ``ombuds estimate`` command call
:func:`estimate` on a :class:`CaptureData` table and get an :class:`EstimateResult`, or an
:class:`EstimationRefused` that says why the data cannot support a number.
"""

from ombuds.estimation.api import (
    METHODS,
    estimate,
    estimate_strata,
    estimate_strata_total,
    total_of_strata,
)
from ombuds.estimation.data import (
    CaptureData,
    capture_data_from_clusters,
    merge_strata,
    read_clusters_csv,
    read_patterns_csv,
)
from ombuds.estimation.dga import estimate_dga
from ombuds.estimation.errors import EstimationRefused
from ombuds.estimation.lcmcr import estimate_lcmcr
from ombuds.estimation.loglinear import estimate_loglinear
from ombuds.estimation.result import EstimateResult

__all__ = [
    "METHODS",
    "CaptureData",
    "EstimateResult",
    "EstimationRefused",
    "capture_data_from_clusters",
    "estimate",
    "estimate_dga",
    "estimate_lcmcr",
    "estimate_loglinear",
    "estimate_strata",
    "estimate_strata_total",
    "merge_strata",
    "read_clusters_csv",
    "read_patterns_csv",
    "total_of_strata",
]
