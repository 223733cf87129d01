"""The industry assessment a region attaches to a grant application, as HTML or an Excel workbook.

It gathers, for one region and period: the region and how it was drawn (its counties and, given commuting
flows, its containment), the ranked industries (or clusters) with the evidence behind each score, the
sensitivity of the top ten to the weights, what was not ranked and why, the top occupations of the
leading targets with their wages, the assumptions, and the data sources with their vintages.

Building an assessment executes the lazy measures (it is a report); the charts are Vega-Lite specs. The
county map uses the county TopoJSON of the npm package ``us-atlas``, found in ``node_modules`` (see
:func:`find_node_modules`). The HTML embeds the Vega, Vega-Lite and vega-embed scripts from
``node_modules`` so that it renders offline; the workbook gets PNG renderings made by ``vl-convert``.
"""

from __future__ import annotations

import html
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import ibis
import numpy as np
import pyarrow as pa

from sectorwise.charts import CountyShapes, contribution_bars, region_membership_map
from sectorwise.lmi.codes import NaicsLevel
from sectorwise.lmi.rank_indicators import RankingInputs, cluster_indicators, industry_indicators
from sectorwise.lmi.ranking import INDICATOR_LABELS, RankingConfig, RankingResult, rank_candidates
from sectorwise.lmi.regions import Region
from sectorwise.lmi.sources.commuting import CommutingFlows
from sectorwise.lmi.staffing import (
    STAFFING_ASSUMPTIONS,
    region_industry_employment,
    staffing_pattern,
    year_mix_note,
)
from sectorwise.tabular_io import append_rows, defused

NODE_MODULES_ENV: Final = "SECTORWISE_NODE_MODULES"
COUNTY_TOPOLOGY: Final = Path("us-atlas") / "counties-10m.json"
VEGA_SCRIPTS: Final = (
    Path("vega") / "build" / "vega.min.js",
    Path("vega-lite") / "build" / "vega-lite.min.js",
    Path("vega-embed") / "build" / "vega-embed.min.js",
)
CLUSTER_LEVEL: Final = "cluster"
TOP_TARGETS: Final = 10
TOP_OCCUPATIONS: Final = 25
CHART_ROWS: Final = 20


class AssetsNotFoundError(FileNotFoundError):
    """``node_modules`` with ``us-atlas`` (and Vega for HTML) could not be found."""


def find_node_modules(explicit: Path | None = None, *, start: Path | None = None) -> Path:
    """The ``node_modules`` directory holding ``us-atlas``.

    Looked for, in order: ``explicit``; ``$SECTORWISE_NODE_MODULES``; ``node_modules`` in ``start`` (default:
    the working directory) or any parent; ``node_modules`` next to the installed project (a source checkout).
    """
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    elif os.environ.get(NODE_MODULES_ENV):
        candidates.append(Path(os.environ[NODE_MODULES_ENV]))
    else:
        here = (start or Path.cwd()).resolve()
        candidates.extend(directory / "node_modules" for directory in (here, *here.parents))
        candidates.extend(parent / "node_modules" for parent in Path(__file__).resolve().parents)
    for candidate in candidates:
        if (candidate / COUNTY_TOPOLOGY).is_file():
            return candidate
    where = ", ".join(str(c) for c in candidates[:3]) + (" ..." if len(candidates) > 3 else "")
    raise AssetsNotFoundError(
        f"no node_modules with us-atlas/counties-10m.json (looked in {where}). Run `npm install` in the "
        f"project (package.json lists us-atlas, vega, vega-lite and vega-embed), or point "
        f"{NODE_MODULES_ENV} or --node-modules at a node_modules directory that has them"
    )


def load_county_topology(node_modules: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((node_modules / COUNTY_TOPOLOGY).read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Containment:
    """How self-contained the region is as a labor market, from commuting flows."""

    resident_workers: float
    jobs: float
    residents_working_inside: float
    source: str

    @property
    def resident_share_inside(self) -> float:
        """Share of the region's employed residents who work in the region."""
        return self.residents_working_inside / self.resident_workers if self.resident_workers else 0.0

    @property
    def job_share_held_by_residents(self) -> float:
        """Share of the jobs in the region held by its residents."""
        return self.residents_working_inside / self.jobs if self.jobs else 0.0


def region_containment(flows: CommutingFlows, region: Region) -> Containment:
    """Containment of a region's commuting: residents who work inside, jobs held by residents."""
    members = np.array(region.counties)
    home_inside = np.isin(flows.home, members)
    work_inside = np.isin(flows.work, members)
    if not home_inside.any():
        raise ValueError(f"the commuting flows ({flows.source}) have no residents of region {region.name!r}")
    return Containment(
        resident_workers=float(flows.workers[home_inside].sum()),
        jobs=float(flows.workers[work_inside].sum()),
        residents_working_inside=float(flows.workers[home_inside & work_inside].sum()),
        source=flows.source,
    )


@dataclass(frozen=True)
class Assessment:
    """Everything the assessment shows; see :func:`build_assessment`."""

    region: Region
    county_names: Mapping[str, str]
    period: str
    reference: str
    level: str
    ranking: RankingResult
    candidates: pa.Table
    targets: tuple[str, ...]
    occupations: pa.Table
    wage_area: str
    sources: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    containment: Containment | None = None
    drawn: str = ""
    created: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _cluster_target_industries(inputs: RankingInputs, cluster_codes: Sequence[str]) -> list[str]:
    """The 6-digit codes (as QCEW writes them) of the given clusters."""
    wanted = set(cluster_codes)
    return sorted(n for n, c in inputs.catalog.qcew_naics_to_cluster().items() if c in wanted)


def build_assessment(
    inputs: RankingInputs,
    *,
    level: str,
    config: RankingConfig,
    sources: Sequence[tuple[str, str]] = (),
    containment: Containment | None = None,
    drawn: str = "",
    county_names: Mapping[str, str] | None = None,
    top_targets: int = TOP_TARGETS,
) -> Assessment:
    """Rank the region's candidates, estimate the top targets' occupations, and collect the evidence."""
    if level == CLUSTER_LEVEL:
        candidates_expr = cluster_indicators(inputs)
    else:
        candidates_expr = industry_indicators(inputs, NaicsLevel(level))
    candidates = candidates_expr.to_pyarrow()
    ranking = rank_candidates(candidates, config)
    targets = tuple(ranking.ranked.column("code").to_pylist()[:top_targets])
    notes = list(ranking.notes)
    mix = year_mix_note(inputs.oews, inputs.year, inputs.qtr) if inputs.oews is not None else None
    if mix is not None:
        notes.insert(0, mix)
    occupations = pa.table({})
    if inputs.oews is not None and targets:
        industry_codes = (
            _cluster_target_industries(inputs, targets) if level == CLUSTER_LEVEL else list(targets)
        )
        employment = region_industry_employment(
            inputs.qcew, inputs.region, industry_codes, year=inputs.year, qtr=inputs.qtr
        ).to_pyarrow()
        if level == CLUSTER_LEVEL:
            notes.append(
                "Occupations of clusters use the disclosed employment of their 6-digit industries; "
                "suppressed cells are left out."
            )
        pattern = staffing_pattern(ibis.memtable(employment), inputs.oews, wage_area=inputs.wage_area.code)
        occupations = pattern.limit(TOP_OCCUPATIONS).to_pyarrow()
        notes.extend(STAFFING_ASSUMPTIONS)
    elif inputs.oews is None:
        notes.append("No OEWS files were given: occupations and occupation wages are left out.")
    wage_area = inputs.wage_area.label(inputs.oews) if inputs.oews is not None else "national"
    period = f"{inputs.year} Q{inputs.qtr}" if inputs.qtr != "A" else f"{inputs.year} annual average"
    return Assessment(
        region=inputs.region,
        county_names=dict(county_names or {}),
        period=period,
        reference=inputs.reference,
        level=level,
        ranking=ranking,
        candidates=candidates,
        targets=targets,
        occupations=occupations,
        wage_area=wage_area,
        sources=tuple(sources),
        notes=tuple(notes),
        containment=containment,
        drawn=drawn,
    )


# --- charts ----------------------------------------------------------------------------------------------


def ranking_chart_spec(assessment: Assessment, rows: int = CHART_ROWS) -> dict[str, Any]:
    """A stacked bar per ranked candidate: its score split into the indicators' contributions."""
    ranked = {row["code"]: row for row in assessment.ranking.ranked.to_pylist()[:rows]}
    values = [
        {
            "label": f"{row['rank']}. {_short(ranked[row['code']]['title'] or row['code'])}",
            "rank": row["rank"],
            "indicator": row["label"],
            "contribution": round(row["contribution"], 4),
            "value": row["value"],
        }
        for row in assessment.ranking.explanation.to_pylist()
        if row["code"] in ranked
    ]
    return contribution_bars(
        values, title=f"Target-industry ranking, {assessment.region.name} ({assessment.period})"
    )


def county_map_spec(assessment: Assessment, topology: Mapping[str, Any]) -> dict[str, Any]:
    """The counties of the region's states, the region's own highlighted (us-atlas TopoJSON inline)."""
    members = list(assessment.region.counties)
    return region_membership_map(
        shapes=CountyShapes.us_atlas_inline(topology),
        members=members,
        title=f"{assessment.region.name}: {len(members)} counties",
    )


def _short(text: str, limit: int = 48) -> str:
    clean = text.removeprefix("NAICS ").strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


# --- output ----------------------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


#: Columns shown as whole numbers and as percentages in the HTML tables.
COUNT_COLUMNS: Final = frozenset({"employment", "establishments", "employment_est"})
PERCENT_COLUMNS: Final = frozenset({"share_of_targets", "growth", "competitive_effect", "suppressed_share"})


def _cell(key: str, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and not np.isnan(value):
        if key in COUNT_COLUMNS:
            return f"{value:,.0f}"
        if key in PERCENT_COLUMNS:
            return f"{value:.1%}"
    return _fmt(value)


def _html_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(key, row.get(key)))}</td>" for key, _ in columns) + "</tr>"
        for row in rows
    )
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def summary_rows(assessment: Assessment) -> list[tuple[str, str]]:
    """The facts at the head of the assessment, as (label, text)."""
    region = assessment.region
    counties = ", ".join(f"{assessment.county_names.get(c, c)} ({c})" for c in region.counties)
    rows = [
        ("Region", region.name),
        ("Description", region.description or "–"),
        ("How it was drawn", assessment.drawn or "A named set of counties given by the user."),
        ("Counties", counties),
    ]
    if assessment.containment is not None:
        c = assessment.containment
        rows.extend(
            [
                (
                    "Residents working in the region",
                    f"{c.resident_share_inside:.1%} of {c.resident_workers:,.0f}",
                ),
                ("Jobs held by residents", f"{c.job_share_held_by_residents:.1%} of {c.jobs:,.0f}"),
                ("Commuting data", c.source),
            ]
        )
    level = "benchmark clusters" if assessment.level == CLUSTER_LEVEL else f"industries at {assessment.level}"
    rows.extend(
        [
            ("Period", assessment.period),
            ("Ranked", level),
            ("LQ reference area", assessment.reference),
            ("Occupation wages", assessment.wage_area),
            ("Weights", ", ".join(f"{k} {v:g}" for k, v in assessment.ranking.weights.items())),
            ("Normalisation", assessment.ranking.config.normalisation),
            ("Settings", assessment.ranking.config.source),
            ("Prepared", assessment.created),
        ]
    )
    return rows


RANKED_COLUMNS: Final = (
    ("rank", "Rank"),
    ("code", "Code"),
    ("title", "Industry"),
    ("score", "Score"),
    ("employment", "Jobs"),
    ("establishments", "Establishments"),
    ("lq", "LQ"),
    ("growth", "Growth/yr"),
    ("competitive_effect", "Competitive effect"),
    ("wage_ratio", "Wage ratio"),
    ("cluster_strength", "Cluster strength"),
    ("occupation_wages", "Occupation wage"),
    ("estimated", "Includes estimates"),
)
OCCUPATION_COLUMNS: Final = (
    ("occupation_code", "SOC"),
    ("occupation_title", "Occupation"),
    ("employment_est", "Est. jobs"),
    ("share_of_targets", "Share of target jobs"),
    ("annual_median_wage", "Median wage"),
    ("annual_mean_wage", "Mean wage"),
    ("wage_source", "Wage area"),
)


def _explanations_html(assessment: Assessment, top: int = 5) -> str:
    parts = []
    explanation = assessment.ranking.explanation.to_pylist()
    for row in assessment.ranking.ranked.to_pylist()[:top]:
        lines = [e for e in explanation if e["code"] == row["code"]]
        items = "".join(
            f"<li>{html.escape(e['label'])}: {html.escape(_fmt(e['value']))} → normalised "
            f"{e['normalised']:.2f} × weight {e['weight']:.2f} = <b>{e['contribution']:.3f}</b></li>"
            for e in lines
        )
        parts.append(
            f"<h3>{row['rank']}. {html.escape(str(row['title'] or row['code']))} "
            f"({html.escape(row['code'])}): "
            f"score {row['score']:.3f}</h3><ul>{items}</ul>"
        )
    return "".join(parts)


def assessment_html(assessment: Assessment, node_modules: Path) -> str:
    """A self-contained HTML page (scripts and map data inline; renders offline)."""
    scripts = []
    for script in VEGA_SCRIPTS:
        path = node_modules / script
        if not path.is_file():
            raise AssetsNotFoundError(
                f"{path} is missing: run `npm install` (package.json lists vega, vega-lite, vega-embed)"
            )
        scripts.append(path.read_text(encoding="utf-8").replace("</script", "<\\/script"))
    topology = load_county_topology(node_modules)
    chart = json.dumps(ranking_chart_spec(assessment))
    county_map = json.dumps(county_map_spec(assessment, topology))
    summary = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in summary_rows(assessment)
    )
    ranked = _html_table(assessment.ranking.ranked.to_pylist()[:25], RANKED_COLUMNS)
    sensitivity = _html_table(
        assessment.ranking.sensitivity.to_pylist(),
        [
            ("indicator", "Weight of"),
            ("weight_change", "Change"),
            ("same_top10_set", "Same top 10"),
            ("entered", "Entered"),
            ("left", "Left"),
            ("max_rank_shift_of_baseline_top10", "Largest rank move"),
        ],
    )
    not_ranked = _html_table(
        assessment.ranking.not_ranked.to_pylist(),
        [("code", "Code"), ("title", "Industry"), ("reason", "Reason")],
    )
    occupations = (
        _html_table(assessment.occupations.to_pylist(), OCCUPATION_COLUMNS)
        if assessment.occupations.num_rows
        else "<p>Not estimated (no OEWS files given).</p>"
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in assessment.notes)
    sources = "".join(f"<li><b>{html.escape(n)}</b>: {html.escape(d)}</li>" for n, d in assessment.sources)
    indicators = "".join(
        f"<li><b>{html.escape(INDICATOR_LABELS[k])}</b></li>" for k in assessment.ranking.indicators_used
    )
    script_tags = "".join(f"<script>{s}</script>" for s in scripts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Industry assessment: {html.escape(assessment.region.name)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1150px; color: #1b1b1b; }}
h1 {{ margin-bottom: 0.2rem; }}
h2 {{ border-bottom: 2px solid #1a4480; padding-bottom: 0.2rem; margin-top: 2rem; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
table.data td, table.data th {{ border: 1px solid #dfe1e2; padding: 0.25rem 0.5rem; }}
table.data th {{ background: #f0f0f0; }} table.facts th {{ text-align: left; padding-right: 1rem; }}
.row {{ display: flex; gap: 2rem; flex-wrap: wrap; align-items: flex-start; }}
</style>{script_tags}</head><body>
<h1>Industry assessment: {html.escape(assessment.region.name)}</h1>
<p>Prepared with Sectorwise from public BLS data; every figure below can be traced to its source.</p>
<h2>The region</h2>
<div class="row"><table class="facts">{summary}</table><div id="map"></div></div>
<h2>Ranked {"clusters" if assessment.level == CLUSTER_LEVEL else "industries"}</h2>
<p>Indicators used (each normalised to 0-1 by {html.escape(assessment.ranking.config.normalisation)}
within the candidates, weighted, summed):</p><ul>{indicators}</ul>
<div id="chart"></div>
{ranked}
<h2>Why the leaders lead</h2>{_explanations_html(assessment)}
<h2>Sensitivity of the top ten to the weights (each weight ±25 %)</h2>{sensitivity}
<h2>Top occupations in the leading {len(assessment.targets)} targets</h2>{occupations}
<h2>Not ranked</h2>{not_ranked}
<h2>Notes and assumptions</h2><ul>{notes}</ul>
<h2>Data sources and vintages</h2><ul>{sources}</ul>
<script>
vegaEmbed("#chart", {chart}, {{actions: false}});
vegaEmbed("#map", {county_map}, {{actions: false}});
</script>
</body></html>
"""


def write_html(assessment: Assessment, path: Path, node_modules: Path) -> None:
    path.write_text(assessment_html(assessment, node_modules), encoding="utf-8")


def render_png(spec: Mapping[str, Any], scale: float = 2.0) -> bytes:
    """A PNG of a Vega-Lite spec, rendered offline by vl-convert."""
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(dict(spec), scale=scale)
    return png


def write_xlsx(assessment: Assessment, path: Path, node_modules: Path) -> None:
    """A workbook: Summary (with the chart and map as images), Ranking, Explanation, Sensitivity,
    Not ranked, Occupations, Candidates (every indicator of every candidate)."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    summary.append(["Industry assessment", defused(assessment.region.name)])
    summary["A1"].font = Font(bold=True, size=14)
    for label, text in summary_rows(assessment):
        summary.append([label, defused(text)])
    summary.append([])
    summary.append(["Notes and assumptions"])
    for note in assessment.notes:
        summary.append(["", defused(note)])
    summary.append([])
    summary.append(["Data sources and vintages"])
    for name, detail in assessment.sources:
        summary.append([defused(name), defused(detail)])
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 110
    topology = load_county_topology(node_modules)
    for anchor, spec in (
        ("D2", ranking_chart_spec(assessment)),
        ("D48", county_map_spec(assessment, topology)),
    ):
        image = Image(io.BytesIO(render_png(spec, scale=1.0)))
        summary.add_image(image, anchor)

    def sheet(name: str, table: pa.Table) -> None:
        target = book.create_sheet(name)
        append_rows(target, table.column_names, ([*row.values()] for row in table.to_pylist()))
        for cell in target[1]:
            cell.font = Font(bold=True)
        target.freeze_panes = "A2"

    sheet("Ranking", assessment.ranking.ranked)
    sheet("Explanation", assessment.ranking.explanation)
    sheet("Sensitivity", assessment.ranking.sensitivity)
    sheet("Not ranked", assessment.ranking.not_ranked)
    sheet("Occupations", assessment.occupations)
    sheet("Candidates", assessment.candidates)
    book.save(path)
