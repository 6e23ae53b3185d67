"""Record linkage: which records of complaints and lists name the same person (no Django).

See docs/linkage.md. The public surface::

    records, errors = read_person_list("list.csv")
    result = link_records(records, LinkageSettings(unique_within=frozenset({"ngo"})))
    result.clusters[("ngo", "17")]  # -> cluster id
"""

from ombuds.linkage.engine import (
    DEFAULT_THRESHOLD,
    LinkageResult,
    LinkageSettings,
    RecordKey,
    ScoredPair,
    Scores,
    link_records,
    pairwise_scores,
)
from ombuds.linkage.limits import TooManyPairs
from ombuds.linkage.normalise import name_skeleton, normalise_name, normalise_place
from ombuds.linkage.records import (
    COLUMNS,
    PersonRecord,
    RowError,
    parse_person_list,
    read_person_list,
    write_person_list,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_THRESHOLD",
    "LinkageResult",
    "LinkageSettings",
    "PersonRecord",
    "RecordKey",
    "RowError",
    "ScoredPair",
    "Scores",
    "TooManyPairs",
    "link_records",
    "name_skeleton",
    "normalise_name",
    "normalise_place",
    "pairwise_scores",
    "parse_person_list",
    "read_person_list",
    "write_person_list",
]
