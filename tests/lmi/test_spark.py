"""The same measure expressions on DuckDB and on PySpark (local mode) give the same results, column by
column (the backends and their tables: tests/lmi/conftest.py; the shared suite on each: test_backends.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sectorwise.lmi.measures import quarterly_measures
from sectorwise.lmi.prepared import to_arrow
from sectorwise.lmi.shiftshare import shift_share
from tests.lmi.conftest import REGION, SECTORS, Backend

pytestmark = pytest.mark.spark


def assert_same(duckdb_result: pd.DataFrame, spark_result: pd.DataFrame, keys: list[str]) -> None:
    left = duckdb_result.sort_values(keys).reset_index(drop=True)
    right = spark_result.sort_values(keys).reset_index(drop=True)
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right) > 0
    for column in left.columns:
        ours, theirs = left[column], right[column]
        if pd.api.types.is_float_dtype(ours) or pd.api.types.is_float_dtype(theirs):
            np.testing.assert_allclose(
                ours.astype(float),
                theirs.astype(float),
                rtol=1e-12,
                atol=1e-9,
                equal_nan=True,
                err_msg=column,
            )
        else:
            assert ours.astype(object).where(ours.notna(), None).tolist() == (
                theirs.astype(object).where(theirs.notna(), None).tolist()
            ), column


def test_quarterly_lqs_and_changes_are_the_same_on_spark(
    duckdb_backend: Backend, pyspark_backend: Backend
) -> None:
    duck, sparked = duckdb_backend.table("qcew_quarterly"), pyspark_backend.table("qcew_quarterly")
    # The four figures the oracle checks against BLS; the other four are the same expression again and
    # only lengthen Spark's planning of a test that must stay short.
    kwargs: dict[str, Any] = {
        "year": 2016,
        "qtr": "1",
        "reference": "US000",
        "regions": [REGION],
        "columns": ["month3_emplvl", "qtrly_estabs", "total_qtrly_wages", "avg_wkly_wage"],
    }
    expected = quarterly_measures(duck, **kwargs).to_pandas()
    actual = quarterly_measures(sparked, **kwargs).to_pandas()
    assert expected.incomplete.any()
    assert expected.lq_month3_emplvl.notna().sum() > 30
    assert_same(expected, actual, ["area_fips", "own_code", "industry_code"])


def test_shift_share_is_the_same_on_spark(duckdb_backend: Backend, pyspark_backend: Backend) -> None:
    duck, sparked = duckdb_backend.table("qcew_quarterly_q4"), pyspark_backend.table("qcew_quarterly_q4")
    kwargs: dict[str, Any] = {
        "area": REGION.name,
        "reference": "US000",
        "start": (2015, "4"),
        "end": (2016, "4"),
        "regions": [REGION],
    }
    expected = shift_share(duck, **kwargs).to_pandas()
    assert len(expected) == len(SECTORS)
    # Off DuckDB, to_arrow is Ibis's own to_pyarrow.
    assert_same(expected, to_arrow(shift_share(sparked, **kwargs)).to_pandas(), ["industry_code"])
