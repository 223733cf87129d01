"""Pure statistics for outcome evaluation (no Django; an import-linter contract keeps it so).

- :mod:`~sectorwise.evaluation.statistics`: shares with Wilson intervals, paired before/after shares
  (Newcombe's paired interval, exact McNemar), paired means (t), difference in differences (cluster-robust
  OLS); each result is suppressed when it rests on fewer than ``minimum`` units (default 10).
- :mod:`~sectorwise.evaluation.suppression`: primary and complementary suppression of a table with totals.
- :mod:`~sectorwise.evaluation.poverty`: the HHS poverty guidelines 2014-2026 and poverty status.
- :mod:`~sectorwise.evaluation.identifiers`: keyed hashes of SSNs and state IDs; masked raw values.
- :mod:`~sectorwise.evaluation.wioa`: WIOA-style indicators from participants and UI wage records.
"""

from sectorwise.evaluation.identifiers import (
    IdentifierKind,
    InvalidIdentifier,
    PiiKey,
    RawIdentifier,
    generate_key_text,
    identifier_hash,
    is_identifier_hash,
    key_from_bytes,
    key_from_file,
    normalise_identifier,
)
from sectorwise.evaluation.poverty import (
    YEARS as POVERTY_GUIDELINE_YEARS,
)
from sectorwise.evaluation.poverty import (
    Region,
    in_poverty,
    percent_of_poverty,
    poverty_guideline,
    region_of,
)
from sectorwise.evaluation.statistics import (
    DEFAULT_MINIMUM,
    DifferenceInDifferences,
    PairedMeans,
    PairedProportions,
    Proportion,
    difference_in_differences,
    is_suppressed,
    newcombe_paired_interval,
    paired_means,
    paired_proportions,
    proportion,
)
from sectorwise.evaluation.suppression import SuppressedTable, completion_bounds, suppress_table
from sectorwise.evaluation.wioa import wioa_indicators

__all__ = [
    "DEFAULT_MINIMUM",
    "POVERTY_GUIDELINE_YEARS",
    "DifferenceInDifferences",
    "IdentifierKind",
    "InvalidIdentifier",
    "PairedMeans",
    "PairedProportions",
    "PiiKey",
    "Proportion",
    "RawIdentifier",
    "Region",
    "SuppressedTable",
    "completion_bounds",
    "difference_in_differences",
    "generate_key_text",
    "identifier_hash",
    "in_poverty",
    "is_identifier_hash",
    "is_suppressed",
    "key_from_bytes",
    "key_from_file",
    "newcombe_paired_interval",
    "normalise_identifier",
    "paired_means",
    "paired_proportions",
    "percent_of_poverty",
    "poverty_guideline",
    "proportion",
    "region_of",
    "suppress_table",
    "wioa_indicators",
]
