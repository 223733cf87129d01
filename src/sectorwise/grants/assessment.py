"""The partnership's industry assessment generated inside its application: the same report as ``sectorwise
lmi assessment`` (``lmi.assessment.build_assessment`` on the warehouse, read through
``core.warehouse_gateway``) for the partnership's region, its target industries' ranks in the notes, as a
PDF of the report's HTML (WeasyPrint: tables, notes and sources; no scripts, so no Vega charts), stored as
the application's ``industry_assessment`` attachment with the data vintage it used."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError

from sectorwise.core.warehouse_gateway import READ_ERRORS, WarehouseMissing, open_warehouse_read_only
from sectorwise.lmi import defaults
from sectorwise.lmi.assessment import Assessment, build_assessment, find_node_modules, write_html
from sectorwise.lmi.clusters import county_peers
from sectorwise.lmi.filled import analysis_table
from sectorwise.lmi.rank_indicators import RankingInputs
from sectorwise.lmi.ranking import default_config
from sectorwise.lmi.regions import Region as LmiRegion
from sectorwise.lmi.regionsets import county_titles
from sectorwise.lmi.sources.clusters import ClusterCatalog, ClusterFileError, load_clusters

LEVEL: Final = "naics4"
"""The assessment's industry level (the intelligence pages' default)."""


@dataclass(frozen=True)
class GeneratedAssessment:
    pdf: bytes
    vintage: str
    region_name: str
    file_name: str


def _catalog() -> ClusterCatalog | None:
    path: Path | None = getattr(settings, "SECTORWISE_CLUSTERS", None)
    if path is None:
        return None
    try:
        return load_clusters(path)
    except ClusterFileError:
        return None


def _focus_note(assessment: Assessment, targets: list[str]) -> str:
    ranked = {str(row["code"]): row for row in assessment.ranking.ranked.to_pylist()}
    parts = []
    for code in targets:
        hits = [row for key, row in ranked.items() if key.startswith(code) or code.startswith(key)]
        parts.append(
            f"{code}: rank {hits[0]['rank']} of {len(ranked)}" if hits else f"{code}: not among the ranked"
        )
    return "The partnership's target industries: " + "; ".join(parts) + "."


def _build(con: Any, region: LmiRegion, targets: list[str]) -> tuple[Assessment, str]:
    counties = tuple(region.counties)
    period = defaults.latest_period(con, annual=True, areas=counties)
    table = defaults.period_table(con, period)
    missing = [county for county in counties if county not in defaults.loaded_areas(table, period)]
    if missing:
        raise defaults.NoDataLoaded(missing)
    catalog = _catalog()
    qcew = analysis_table(con, annual=True, estimate=True)
    peers: list[LmiRegion] = []
    if catalog is not None:
        for state in sorted({county[:2] for county in counties}):
            found = county_peers(qcew, year=period.year, qtr=period.qtr, state=state).to_pyarrow()
            peers.extend(LmiRegion(name=c, counties=(c,)) for c in found.column("area_fips").to_pylist())
    inputs = RankingInputs(
        qcew=qcew,
        region=region,
        year=period.year,
        qtr=period.qtr,
        reference=defaults.default_reference(table, counties=counties, period=period).area_fips,
        catalog=catalog or ClusterCatalog(clusters=(), source=Path("(none)"), repairs={}),
        peers=peers,
        base_year=defaults.base_year(table, counties=counties, period=period),
        industry_titles=con.table("industry_titles"),
    )
    config = default_config()
    if catalog is None:  # no definitions: cluster strength weighs nothing (the notes say so)
        config = replace(config, weights={**config.weights, "cluster_strength": 0.0})
    files = con.table("ingest_log").count().to_pyarrow().as_py() if "ingest_log" in con.list_tables() else 0
    sources = [
        (
            "BLS Quarterly Census of Employment and Wages (QCEW)",
            f"{inputs.year} period {inputs.qtr}"
            + (f" and {inputs.base_year}" if inputs.base_year else "")
            + f"; {files} file(s) in the warehouse; private ownership (own_code 5); NAICS as published",
        ),
        ("County boundaries", "us-atlas 3 (U.S. Census cartographic boundaries, 2017, 1:10m)"),
    ]
    assessment = build_assessment(
        inputs,
        level=LEVEL,
        config=config,
        sources=sources,
        drawn=region.description,
        county_names=county_titles(con.con, counties),
    )
    if targets:
        assessment = replace(assessment, notes=(_focus_note(assessment, targets), *assessment.notes))
    loaded = ""
    if "ingest_log" in con.list_tables():
        row = con.con.execute("SELECT max(ingested_at) FROM ingest_log").fetchone()
        if row is not None and row[0] is not None:
            loaded = f"; warehouse loaded {row[0]:%Y-%m-%d %H:%M}"
    return assessment, f"QCEW {assessment.period}, LQ against {assessment.reference}{loaded}"


def generate_assessment(*, partnership: Any) -> GeneratedAssessment:
    """The assessment of ``partnership``'s region; ``ValidationError`` (naming why) when it cannot be made:
    no warehouse, no data for the region's counties, the front-end packages missing, a warehouse being
    updated."""
    counties = partnership.region.county_fips_list
    if not counties:
        raise ValidationError({"industry_assessment": f"The region {partnership.region} has no counties."})
    region = LmiRegion(
        name=partnership.region.name, counties=tuple(counties), description=partnership.region.description
    )
    targets = sorted(industry.naics_code for industry in partnership.target_industries.all())
    try:
        assets = find_node_modules(Path(settings.NODE_MODULES))
    except FileNotFoundError:
        raise ValidationError(
            {"industry_assessment": "The assessment needs the front-end packages (npm install)."}
        ) from None
    try:
        with open_warehouse_read_only() as con:
            assessment, vintage = _build(con, region, targets)
    except WarehouseMissing:
        raise ValidationError({"industry_assessment": "No labor-market data is loaded yet."}) from None
    except defaults.NoDataLoaded:
        raise ValidationError(
            {"industry_assessment": f"No labor-market data is loaded for the counties of {region.name}."}
        ) from None
    except defaults.AnalysisDefaultsError as error:
        raise ValidationError({"industry_assessment": str(error)}) from None
    except READ_ERRORS:
        raise ValidationError(
            {"industry_assessment": "The labor-market data is being updated; try again in a minute."}
        ) from None
    from weasyprint import HTML  # imported here: loading Pango costs a few hundred ms

    with tempfile.TemporaryDirectory(prefix="sectorwise-grants-assessment-") as scratch:
        target = Path(scratch) / "assessment.html"
        write_html(assessment, target, assets)
        pdf: bytes = HTML(filename=str(target)).write_pdf()
    slug = "".join(ch if ch.isalnum() else "-" for ch in region.name.lower()).strip("-")
    return GeneratedAssessment(
        pdf=pdf, vintage=vintage, region_name=region.name, file_name=f"industry-assessment-{slug}.pdf"
    )
