"""The same measure expressions on DuckDB and on PySpark (local mode) give the same results."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest

from sectorwise.lmi.measures import quarterly_measures
from sectorwise.lmi.prepared import to_arrow
from sectorwise.lmi.regions import Region
from sectorwise.lmi.shiftshare import shift_share
from tests.lmi.qcew_rows import Cell, quarterly_frame

pytestmark = pytest.mark.spark

COUNTIES = ("50001", "50003", "50005", "50007")
SECTORS = ("11", "23", "31-33", "44-45", "62", "72")
REGION = Region("Middle", ("50003", "50005"))  # 50003 has a suppressed cell in 2016


def synthetic_cells(qtr: str) -> list[Cell]:
    """Two years of a small state with its U.S., a few suppressed cells, deterministic."""
    rng = np.random.default_rng(2016)
    cells = []
    for year in (2015, 2016):
        for area in (*COUNTIES, "50000", "US000"):
            scale = 1_000 if area == "US000" else 10 if area == "50000" else 1
            sector_jobs = [int(v) * scale for v in rng.integers(0, 5_000, len(SECTORS))]
            for sector, jobs in zip(SECTORS, sector_jobs, strict=True):
                hidden = "N" if area == "50003" and sector == "11" and year == 2016 else None
                wages = int(jobs * rng.integers(8_000, 20_000))
                cells.append(
                    Cell(
                        area, 5, sector, year, qtr, jobs, estabs=jobs // 7 + 1, wages=wages, disclosure=hidden
                    )
                )
            private = sum(sector_jobs)
            cells.append(Cell(area, 5, "10", year, qtr, private, estabs=private // 7, wages=private * 12_000))
            total = private + 1_000 * scale
            cells.append(Cell(area, 0, "10", year, qtr, total, estabs=total // 7, wages=total * 12_500))
    return cells


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("sectorwise-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Tiny tables: adaptive planning and whole-stage code generation cost more than they save, and the
        # JVM's top-tier JIT never pays back in a short test (halves the run on a busy two-core machine).
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    yield session
    session.stop()


def on_both(session: Any, frame: pd.DataFrame, name: str) -> tuple[ibis.Table, ibis.Table]:
    """The same rows as a DuckDB table and as a Spark temporary view, both as Ibis tables."""
    session.createDataFrame(frame).createOrReplaceTempView(name)
    return ibis.duckdb.connect().create_table(name, frame), ibis.pyspark.connect(session).table(name)


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


def test_quarterly_lqs_and_changes_are_the_same_on_spark(spark: Any) -> None:
    duck, sparked = on_both(spark, quarterly_frame(synthetic_cells("1")), "qcew_quarterly")
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


def test_shift_share_is_the_same_on_spark(spark: Any) -> None:
    duck, sparked = on_both(spark, quarterly_frame(synthetic_cells("4")), "qcew_quarterly_q4")
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
