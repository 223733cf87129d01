"""The ``backend`` fixture (ibis's pattern): the shared LMI suite (tests/lmi/test_backends.py) runs once on
DuckDB and once on PySpark in local mode, on the same small QCEW tables, so the pure library's Ibis
expressions are checked on both engines it supports. The PySpark run is marked ``spark`` (deselect it with
``-m "not spark"``); its session starts once per run (about 10 s), shared with tests/lmi/test_spark.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest

from sectorwise.lmi.regions import Region
from tests.lmi.qcew_rows import Cell, quarterly_frame

COUNTIES = ("50001", "50003", "50005", "50007")
SECTORS = ("11", "23", "31-33", "44-45", "62", "72")
# 6-digit industries under 31-33 and 54, for the cluster figures (a tiny catalog in the shared suite).
DETAILED = ("336411", "336412", "332710", "541330")
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


def detailed_cells(qtr: str) -> list[Cell]:
    """6-digit private cells (one suppressed) of 2016, drawn after and apart from :func:`synthetic_cells`."""
    rng = np.random.default_rng(336411)
    cells = []
    for area in (*COUNTIES, "50000", "US000"):
        scale = 1_000 if area == "US000" else 10 if area == "50000" else 1
        for industry in DETAILED:
            jobs = int(rng.integers(1, 400)) * scale
            hidden = "N" if area == "50005" and industry == "336412" else None
            cells.append(
                Cell(
                    area,
                    5,
                    industry,
                    2016,
                    qtr,
                    jobs,
                    estabs=jobs // 9 + 1,
                    wages=jobs * 15_000,
                    disclosure=hidden,
                )
            )
    return cells


QCEW_TABLES = {
    "qcew_quarterly": lambda: quarterly_frame([*synthetic_cells("1"), *detailed_cells("1")]),
    "qcew_quarterly_q4": lambda: quarterly_frame(synthetic_cells("4")),
}


@dataclass
class Backend:
    """An Ibis connection on one engine, loaded with the QCEW tables of ``QCEW_TABLES``."""

    name: str
    con: Any
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)


@pytest.fixture(scope="session")
def qcew_frames() -> dict[str, pd.DataFrame]:
    return {name: make() for name, make in QCEW_TABLES.items()}


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Spark session for the whole run, tuned for tiny tables on a small, busy machine."""
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


@pytest.fixture(scope="session")
def duckdb_backend(qcew_frames: dict[str, pd.DataFrame]) -> Backend:
    con = ibis.duckdb.connect()
    for name, frame in qcew_frames.items():
        con.create_table(name, frame)
    return Backend("duckdb", con, qcew_frames)


@pytest.fixture(scope="session")
def pyspark_backend(spark_session: Any, qcew_frames: dict[str, pd.DataFrame]) -> Backend:
    for name, frame in qcew_frames.items():
        spark_session.createDataFrame(frame).createOrReplaceTempView(name)
    return Backend("pyspark", ibis.pyspark.connect(spark_session), qcew_frames)


@pytest.fixture(params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The shared suite's engine: DuckDB, then PySpark (local[1]), each loaded with the same QCEW tables."""
    found: Backend = request.getfixturevalue(f"{request.param}_backend")
    return found
