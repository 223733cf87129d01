"""The labour-market half of the demo: write the synthetic state, ingest it through the real ingest, and
print one region's leading industries from the real measures.

``prepare_demo_lmi`` and ``print_demo_profile`` are what ``sectorwise demo`` calls; ``run_lmi_demo`` does
both, without any web server.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Final

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends.duckdb import Backend as DuckDBBackend
from rich.console import Console

from sectorwise.demo.geography import demo_state
from sectorwise.demo.shapes import county_shape_features
from sectorwise.demo.synthetic import DEMO_REGION, DEMO_YEARS, QCEW_FOLDER, write_demo_source
from sectorwise.lmi import warehouse as lmi_warehouse
from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, US_FIPS
from sectorwise.lmi.ingest import ingest_paths
from sectorwise.lmi.measures import annual_measures, growth
from sectorwise.lmi.output import rich_table
from sectorwise.lmi.regions import Region
from sectorwise.lmi.shapes import county_shapes, store_county_shapes
from sectorwise.lmi.shiftshare import shift_share

__all__ = [
    "DEMO_REGION",
    "SOURCE_FOLDER",
    "prepare_demo_lmi",
    "print_demo_profile",
    "region_profile",
    "run_lmi_demo",
]

SOURCE_FOLDER: Final = "demo-source"
DEMO_STATE_AREA: Final = "91000"

#: The NAICS sector level of county rows (agglvl 74 = county, NAICS sector, by ownership).
_SECTOR_AGGLVL: Final = 74


def demo_source_ready(source: Path) -> bool:
    """True when a previous run wrote the whole demo source (the README is written last)."""
    return (source / "README.txt").exists() and any((source / QCEW_FOLDER).glob("*/*.csv"))


def prepare_demo_lmi(*, data_dir: Path, console: Console) -> Path:
    """Write the synthetic demo files into ``data_dir/demo-source`` (unless already there) and ingest
    them into ``data_dir/warehouse.duckdb`` (unless already loaded). Returns the warehouse path."""
    source = data_dir / SOURCE_FOLDER
    if demo_source_ready(source):
        console.print(f"Synthetic demo files already in {source}")
    else:
        with console.status("Writing the synthetic demo state (BLS by_area files, commuting flows)..."):
            # Written beside the target and moved in whole: an interrupted run leaves no half set.
            data_dir.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix=".demo-source-", dir=data_dir))
            try:
                written = write_demo_source(scratch)
                if source.exists():
                    shutil.rmtree(source)
                scratch.rename(source)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        console.print(
            f"Wrote {len(written.qcew_files)} SYNTHETIC QCEW files ({written.rows:,} rows) and commuting "
            f"flows for {len(written.state.counties)} counties of {written.state.name} into {source}"
        )
    warehouse = data_dir / "warehouse.duckdb"
    if _demo_loaded(warehouse):
        console.print(f"Demo data already loaded in {warehouse}")
    else:
        with console.status("Ingesting the demo files through `sectorwise lmi ingest`..."):
            summary = ingest_paths([source / QCEW_FOLDER], warehouse=warehouse)
        console.print(
            f"Ingested {summary.files} files, {summary.rows:,} rows: {len(summary.areas)} areas, "
            f"years {min(summary.years)}-{max(summary.years)}, {len(summary.periods)} periods -> {warehouse}"
        )
    if store_demo_shapes(warehouse):
        console.print(f"Stored the demo counties' shapes (for the map) in {warehouse}")
    return warehouse


def store_demo_shapes(warehouse: Path) -> bool:
    """Write the demo state's county shapes into the warehouse's ``county_shapes`` table unless every demo
    county already has one; True when written. us-atlas has no boundaries for invented counties: the map
    reads these as it would any state's shapes."""
    state = demo_state()
    if warehouse.exists():
        con = lmi_warehouse.open_duckdb(warehouse, read_only=True)
        try:
            stored = {feature["id"] for feature in county_shapes(con, states=[state.fips])}
        finally:
            con.close()
        if stored >= {county.fips for county in state.counties}:
            return False
    with lmi_warehouse.writing(warehouse) as con:
        store_county_shapes(con, county_shape_features(state))
    return True


def _demo_loaded(warehouse: Path) -> bool:
    """Every demo year of the demo state is in both tables (ingest is idempotent; this only saves time)."""
    if not warehouse.exists():
        return False
    con = lmi_warehouse.open_duckdb(warehouse, read_only=True)
    try:
        for table in (lmi_warehouse.QUARTERLY_TABLE, lmi_warehouse.ANNUAL_TABLE):
            found = con.execute(
                f"SELECT count(DISTINCT year) FROM {table} WHERE area_fips = ?", [DEMO_STATE_AREA]
            ).fetchone()
            if found is None or found[0] < len(DEMO_YEARS):
                return False
        return True
    finally:
        con.close()


def region_profile(
    con: DuckDBBackend,
    *,
    region: Region,
    year: int,
    start_year: int,
    reference: str = US_FIPS,
) -> ir.Table:
    """A region's private NAICS sectors in one year's annual averages: employment, LQ, wages, change on the
    year, compound growth since ``start_year`` and the shift-share competitive effect over the same span.
    Lazy: built from :mod:`sectorwise.lmi.measures` and :mod:`sectorwise.lmi.shiftshare`."""
    qcew = con.table(lmi_warehouse.ANNUAL_TABLE)
    titles = con.table("industry_titles")
    current = annual_measures(
        qcew,
        year=year,
        reference=reference,
        areas=[],
        ownerships=[PRIVATE_OWNERSHIP],
        regions=[region],
        industry_titles=titles,
        # The profile shows only employment's LQ and change: fewer columns, a smaller query to compile.
        columns=["annual_avg_emplvl"],
    )
    current = current.filter(current.agglvl_code == _SECTOR_AGGLVL)
    spread = growth(
        qcew, start_year=start_year, end_year=year, areas=[], ownerships=[PRIVATE_OWNERSHIP], regions=[region]
    )
    spread = spread.select(g_industry=spread.industry_code, cagr=spread.annual_avg_emplvl_cagr_pct)
    shifts = shift_share(
        qcew,
        area=region.name,
        reference=reference,
        start=(start_year, "A"),
        end=(year, "A"),
        ownership=PRIVATE_OWNERSHIP,
        regions=[region],
    )
    shifts = shifts.select(s_industry=shifts.industry_code, competitive=shifts.competitive_effect)
    joined = current.left_join(spread, current.industry_code == spread.g_industry).left_join(
        shifts, current.industry_code == shifts.s_industry
    )
    return joined.select(
        industry_code=joined.industry_code,
        industry_title=joined.industry_title,
        employment=joined.annual_avg_emplvl,
        lq=joined.lq_annual_avg_emplvl,
        avg_weekly_wage=joined.annual_avg_wkly_wage,
        change_on_year=joined.oty_annual_avg_emplvl_chg,
        change_on_year_pct=joined.oty_annual_avg_emplvl_pct_chg,
        cagr_pct=joined.cagr,
        competitive_effect=joined.competitive,
        incomplete=joined.incomplete,
    ).order_by([ibis.desc("employment"), "industry_code"])


def print_demo_profile(
    *,
    warehouse: Path,
    console: Console,
    region: Region = DEMO_REGION,
    year: int = max(DEMO_YEARS),
    start_year: int = min(DEMO_YEARS),
    limit: int = 12,
) -> None:
    """Print a region's leading private industries (largest employment first) as a Rich table."""
    con = lmi_warehouse.connect(warehouse, read_only=True)
    try:
        profile = region_profile(con, region=region, year=year, start_year=start_year).to_pyarrow()
    finally:
        con.disconnect()
    rows = profile.to_pylist()[:limit]
    shown = pa.table(
        {
            "NAICS": [row["industry_code"] for row in rows],
            "Industry": [_industry_name(row["industry_title"], row["industry_code"]) for row in rows],
            f"Jobs {year}": [row["employment"] for row in rows],
            "LQ vs U.S.": [row["lq"] for row in rows],
            "Avg weekly wage $": [row["avg_weekly_wage"] for row in rows],
            f"Jobs vs {year - 1}": [row["change_on_year"] for row in rows],
            f"Growth {start_year}-{year} %/yr": [row["cagr_pct"] for row in rows],
            "Competitive effect (jobs)": [
                None if row["competitive_effect"] is None else round(row["competitive_effect"])
                for row in rows
            ],
            "Complete": [
                "yes" if not row["incomplete"] else "no: a county cell is suppressed" for row in rows
            ],
        },
        schema=pa.schema(
            [
                ("NAICS", pa.string()),
                ("Industry", pa.string()),
                (f"Jobs {year}", pa.int64()),
                ("LQ vs U.S.", pa.float64()),
                ("Avg weekly wage $", pa.int64()),
                (f"Jobs vs {year - 1}", pa.int64()),
                (f"Growth {start_year}-{year} %/yr", pa.float64()),
                ("Competitive effect (jobs)", pa.int64()),
                ("Complete", pa.string()),
            ]
        ),
    )
    title = f"{region.name}: leading private industries, {year} annual averages (SYNTHETIC DATA)"
    console.print(rich_table(shown, title=title))
    console.print(
        "LQ above 1: the region is more specialised in the industry than the nation. Competitive effect: "
        f"jobs gained or lost {start_year}-{year} beyond what national and industry trends explain."
    )


def _industry_name(title: str | None, code: str) -> str:
    if not title:
        return code
    return title.removeprefix(f"NAICS {code} ")


def run_lmi_demo(*, data_dir: Path | None = None, console: Console | None = None) -> Path:
    """Prepare the demo warehouse and print the demo region's profile, with no web server."""
    target = data_dir or lmi_warehouse.data_dir()
    out = console or Console()
    warehouse = prepare_demo_lmi(data_dir=target, console=out)
    print_demo_profile(warehouse=warehouse, console=out)
    return warehouse
