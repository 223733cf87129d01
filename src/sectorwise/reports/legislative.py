"""The legislative report as data: ``legislative_report(since=YEAR)`` builds frozen sections of tables,
headline figures and chart specs; the HTML page, the HTML file, the PDF and the XLSX (``render``) only lay
them out. Every figure the text shows is a cell of a table, and every table is a sheet of the workbook whose
name the HTML and PDF cite, so a legislator's question "where does 81 come from?" has one answer.

Definitions (also stamped on the report, sheet "Methods"):

- a partnership counts when it is in the registry; "started since" when its start (the earliest date a
  stage was reached, else the day it was registered) is on or after 1 January of the year;
- employers engaged: distinct employer organisations that are employer members or champions of a
  partnership (the registry's memberships);
- workers: sums of the submitted quarterly progress reports from the year on (the latest submitted
  revision of each quarter);
- money: award shares of awards starting on or after 1 January of the year, by funding source (committed:
  the share; paid: what has been paid of it);
- outcomes: ``outcomes.selectors.outcome_summary`` per partnership (baseline against latest follow-up of the
  same people; Wilson, Newcombe and McNemar from ``sectorwise.evaluation``), every figure resting on fewer
  than the minimum suppressed, shown as "too few to show" and never written to any file;
- systems changes: verified by state staff only; testimonials: consented to publication only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from django.db.models import Max, Q
from django.utils import timezone

from sectorwise.capacity.selectors import (
    event_attendance_summary,
    learning_network_attendance,
    ta_hours_by_partnership,
    ta_hours_total,
)
from sectorwise.evaluation.statistics import (
    DEFAULT_MINIMUM,
    PAIRED_DIFFERENCE_METHOD,
    PairedMeans,
    PairedProportions,
    Proportion,
)
from sectorwise.grants.models import Award, AwardFunding, FundingSource, FundingSystem, Payment
from sectorwise.lmi.codes import naics_sector
from sectorwise.outcomes.models import (
    OutcomeObservation,
    Participant,
    ProgressReport,
    ReportStatus,
    SystemsChange,
    SystemsChangeKind,
    Testimonial,
)
from sectorwise.outcomes.portfolio import outcome_portfolio
from sectorwise.outcomes.wages import INDICATORS as WIOA_INDICATORS
from sectorwise.outcomes.wages import wioa_for_partnership
from sectorwise.partnerships.models import EMPLOYER_ROLES, Membership, SectorPartnership, Stage
from sectorwise.partnerships.naics_titles import naics_title
from sectorwise.planning.selectors import sustainability_funding_by_kind, sustainability_funding_totals
from sectorwise.reports.charts import count_bars, money_bars, report_county_map, report_county_shapes
from sectorwise.reports.districts import DistrictEquivalence, DistrictRow, read_district_file
from sectorwise.reports.models import DistrictPlan
from sectorwise.surveys.models import Survey, SurveyStatus
from sectorwise.surveys.selectors import survey_results

SUPPRESSED: Final = "too few to show"
NO_RECORDS: Final = "no records yet"
ZERO: Final = Decimal("0.00")
ONE_PLACE: Final = Decimal("0.1")

Cell = str | int | Decimal | float | dt.date | None


# --- The report's shape -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One sheet of the workbook: its name (cited by the HTML and PDF), title, columns and rows."""

    sheet: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Column -> ``tabular_io.ColumnKind`` value (count, money, text...) for the workbook's formats."""
    note: str = ""

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Figure:
    """A headline figure and the sheet it is computed from."""

    label: str
    value: int | Decimal
    kind: str  # "count" | "money"
    sheet: str

    @property
    def display(self) -> str:
        return f"${self.value:,.0f}" if self.kind == "money" else f"{self.value:,}"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    spec: Mapping[str, Any] | None
    """None: the chart cannot be drawn (``note`` says why)."""
    sheet: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    charts: tuple[Chart, ...] = ()
    status: str = ""
    """Empty when the section has figures; else why not (e.g. "no records yet")."""
    seam: str = ""
    """The function that will fill the section once its app exists (named in the report and the docs)."""


@dataclass(frozen=True)
class LegislativeReport:
    since: int
    as_of: dt.date
    generated_at: dt.datetime
    minimum: int
    sections: tuple[Section, ...]
    vintages: tuple[tuple[str, str], ...]
    methods: tuple[str, ...]

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def table(self, sheet: str) -> Table:
        for table in self.tables():
            if table.sheet == sheet:
                return table
        raise KeyError(sheet)

    @property
    def headline(self) -> tuple[Figure, ...]:
        """The headline figures (the Summary sheet's rows), each naming the sheet it is computed from."""
        return self.section("summary").figures

    def figure(self, label: str) -> Figure:
        for section in self.sections:
            for found in section.figures:
                if found.label == label:
                    return found
        raise KeyError(label)


# --- Reading the records ----------------------------------------------------------------------------------


@dataclass
class _Partnership:
    pk: int
    name: str
    region: str
    stage: str
    started_on: dt.date
    sectors: list[str]
    counties: list[str]
    employers: set[int] = field(default_factory=set)
    enrolled: int = 0
    completed: int = 0
    credentialed: int = 0
    placed: int = 0
    committed: Decimal = ZERO
    paid: Decimal = ZERO


def _start(partnership: SectorPartnership) -> dt.date:
    dates = [partnership.stage_reached_on(stage) for stage in Stage]
    known = [date for date in dates if date is not None]
    return min(known) if known else timezone.localdate(partnership.created_at)


def _sector_labels(partnership: SectorPartnership) -> list[str]:
    sectors = sorted({sector for code in partnership.target_naics_codes if (sector := naics_sector(code))})
    if sectors:
        return [f"{sector} {naics_title(sector)}" for sector in sectors]
    if partnership.cluster:
        return [f"Cluster: {partnership.cluster}"]
    return ["Not set"]


def _partnerships(first_day: dt.date) -> tuple[dict[int, _Partnership], dict[int, str]]:
    """The partnerships with their figures, and each employer member's county (for the districts)."""
    found: dict[int, _Partnership] = {}
    for partnership in SectorPartnership.objects.select_related("region").prefetch_related(
        "target_industries", "region__counties"
    ):
        found[partnership.pk] = _Partnership(
            pk=partnership.pk,
            name=partnership.name,
            region=partnership.region.name,
            stage=str(Stage(partnership.stage).label),
            started_on=_start(partnership),
            sectors=_sector_labels(partnership),
            counties=sorted(county.county_fips for county in partnership.region.counties.all()),
        )
    employer_counties: dict[int, str] = {}
    for row in Membership.objects.filter(role__in=EMPLOYER_ROLES).values(
        "partnership_id", "organization_id", "organization__county_fips"
    ):
        found[row["partnership_id"]].employers.add(row["organization_id"])
        employer_counties[row["organization_id"]] = row["organization__county_fips"] or ""
    for report in _latest_reports(first_day.year):
        entry = found[report["partnership_id"]]
        entry.enrolled += report["workers_enrolled"]
        entry.completed += report["workers_completed"]
        entry.credentialed += report["workers_credentialed"]
        entry.placed += report["workers_placed"]
    for award in Award.objects.filter(starts_on__gte=first_day).values(
        "application__partnership_id", "amount", "paid"
    ):
        entry = found[award["application__partnership_id"]]
        entry.committed += award["amount"]
        entry.paid += award["paid"]
    return found, employer_counties


def _latest_reports(since: int) -> list[dict[str, Any]]:
    """The latest submitted revision of each partnership's quarter, from ``since`` on."""
    latest: dict[tuple[int, int, int], dict[str, Any]] = {}
    for report in ProgressReport.objects.filter(status=ReportStatus.SUBMITTED, year__gte=since).values(
        "partnership_id",
        "year",
        "quarter",
        "revision",
        "workers_enrolled",
        "workers_completed",
        "workers_credentialed",
        "workers_placed",
    ):
        key = (report["partnership_id"], report["year"], report["quarter"])
        if key not in latest or report["revision"] > latest[key]["revision"]:
            latest[key] = dict(report)
    return list(latest.values())


# --- Sections ---------------------------------------------------------------------------------------------


def _partnership_section(entries: Sequence[_Partnership], first_day: dt.date) -> Section:
    rows = tuple(
        (
            entry.name,
            entry.region,
            "; ".join(entry.sectors),
            entry.stage,
            entry.started_on,
            len(entry.employers),
            entry.enrolled,
            entry.completed,
            entry.placed,
            entry.committed,
            entry.paid,
        )
        for entry in entries
    )
    table = Table(
        sheet="Partnerships",
        title="Partnerships",
        columns=(
            "partnership",
            "region",
            "industry",
            "stage",
            "started_on",
            "employers",
            "workers_enrolled",
            "workers_completed",
            "workers_placed",
            "awarded",
            "paid",
        ),
        rows=rows,
        kinds={"awarded": "money", "paid": "money", "employers": "count", "started_on": "text"},
        note=f"Workers: submitted progress reports from {first_day.year} on. Awarded and paid: awards "
        f"starting on or after {first_day:%B %-d, %Y}.",
    )
    started = sum(1 for entry in entries if entry.started_on >= first_day)
    employers = set().union(*(entry.employers for entry in entries)) if entries else set()
    figures = (
        Figure("Partnerships", len(entries), "count", table.sheet),
        Figure(f"Partnerships started since {first_day.year}", started, "count", table.sheet),
        Figure("Employers engaged", len(employers), "count", table.sheet),
        Figure("Workers enrolled", sum(entry.enrolled for entry in entries), "count", table.sheet),
        Figure("Workers completed", sum(entry.completed for entry in entries), "count", table.sheet),
        Figure("Workers credentialed", sum(entry.credentialed for entry in entries), "count", table.sheet),
        Figure("Workers placed in jobs", sum(entry.placed for entry in entries), "count", table.sheet),
    )
    return Section(
        key="partnerships",
        title="Partnerships, employers and workers",
        intro=f"Every partnership in the registry, with its employers and the workers its progress reports "
        f"count from {first_day.year} on. Employers are counted once even when they belong to several "
        "partnerships.",
        tables=(table,),
        figures=figures,
        status="" if entries else NO_RECORDS,
    )


def _grouped(
    entries: Sequence[_Partnership], key_of: Any, *, first_day: dt.date
) -> list[tuple[str, int, int, int, int, int, Decimal, Decimal]]:
    groups: dict[str, list[_Partnership]] = defaultdict(list)
    for entry in entries:
        for key in key_of(entry):
            groups[key].append(entry)
    rows = []
    for key, members in groups.items():
        employers: set[int] = set().union(*(member.employers for member in members))
        rows.append(
            (
                key,
                len(members),
                sum(1 for member in members if member.started_on >= first_day),
                len(employers),
                sum(member.enrolled for member in members),
                sum(member.placed for member in members),
                sum((member.committed for member in members), ZERO),
                sum((member.paid for member in members), ZERO),
            )
        )
    return sorted(rows, key=lambda row: (-row[1], row[0]))


_GROUP_COLUMNS: Final = (
    "partnerships",
    "started_since",
    "employers",
    "workers_enrolled",
    "workers_placed",
    "awarded",
    "paid",
)
_GROUP_KINDS: Final = {"awarded": "money", "paid": "money", "employers": "count", "started_since": "count"}


def _region_section(entries: Sequence[_Partnership], first_day: dt.date) -> Section:
    region_rows = _grouped(entries, lambda entry: [entry.region], first_day=first_day)
    industry_rows = _grouped(entries, lambda entry: entry.sectors, first_day=first_day)
    regions = Table(
        sheet="By region",
        title="By region",
        columns=("region", *_GROUP_COLUMNS),
        rows=tuple(region_rows),
        kinds=_GROUP_KINDS,
    )
    industries = Table(
        sheet="By industry",
        title="By industry (NAICS sector of the partnerships' target industries)",
        columns=("industry", *_GROUP_COLUMNS),
        rows=tuple(industry_rows),
        kinds=_GROUP_KINDS,
        note="A partnership targeting industries of several sectors counts under each: the rows do not "
        "add up to the total.",
    )
    charts = (
        Chart(
            key="regions",
            title="Partnerships by region",
            description="Bar chart of the number of partnerships in each region; the table By region gives "
            "the same figures.",
            spec=count_bars(
                [{"label": row[0], "value": row[1]} for row in region_rows],
                title="Partnerships by region",
                x_title="Partnerships",
            )
            if region_rows
            else None,
            sheet=regions.sheet,
        ),
        Chart(
            key="industries",
            title="Partnerships by industry",
            description="Bar chart of the number of partnerships in each industry sector; the table By "
            "industry gives the same figures.",
            spec=count_bars(
                [{"label": row[0], "value": row[1]} for row in industry_rows],
                title="Partnerships by industry",
                x_title="Partnerships",
            )
            if industry_rows
            else None,
            sheet=industries.sheet,
        ),
    )
    return Section(
        key="regions",
        title="By region and industry",
        intro="The same figures by the partnership's region and by the sector of its target industries.",
        tables=(regions, industries),
        charts=charts,
        status="" if entries else NO_RECORDS,
    )


def _map_section(entries: Sequence[_Partnership]) -> tuple[Section, str]:
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        for fips in entry.counties:
            counts[fips] += 1
    table = Table(
        sheet="By county",
        title="Partnerships working in each county",
        columns=("county_fips", "partnerships"),
        rows=tuple(sorted(counts.items())),
        kinds={"county_fips": "text", "partnerships": "count"},
        note="A partnership works in every county of its region.",
    )
    shapes, source = report_county_shapes(set(counts))
    chart = Chart(
        key="map",
        title="Where partnerships work",
        description="Map of counties shaded by the number of partnerships working in each; the table By "
        "county gives the same figures.",
        spec=report_county_map(counts, shapes) if shapes is not None and counts else None,
        sheet=table.sheet,
        note="" if shapes is not None else f"The map cannot be drawn: {source}.",
    )
    section = Section(
        key="map",
        title="Where partnerships work",
        intro="Counties shaded by how many partnerships work in them (through their regions).",
        tables=(table,),
        charts=(chart,),
        status="" if counts else NO_RECORDS,
    )
    return section, source


def _equivalence_of(
    district_file: DistrictPlan | DistrictEquivalence | Path | None,
) -> DistrictEquivalence | None:
    if isinstance(district_file, DistrictEquivalence):
        return district_file
    if isinstance(district_file, Path):
        rows = read_district_file(filename=district_file.name, content=district_file.read_bytes())
        return DistrictEquivalence(
            name=district_file.stem,
            source=str(district_file),
            loaded="read for this report",
            rows=tuple(rows),
        )
    plan = district_file if district_file is not None else DistrictPlan.objects.first()
    if plan is None:
        return None
    return DistrictEquivalence(
        name=plan.name,
        source=plan.source_file,
        loaded=f"{timezone.localtime(plan.created_at):%Y-%m-%d}",
        rows=tuple(
            DistrictRow(row.district, row.county_fips, row.share)
            for row in plan.counties.order_by("district", "county_fips")
        ),
    )


def _district_section(
    entries: Sequence[_Partnership],
    equivalence: DistrictEquivalence | None,
    employer_county: Mapping[int, str],
) -> Section:
    if equivalence is None:
        return Section(
            key="districts",
            title="By legislative district",
            intro="Load a district-to-county (or block) equivalence file to see the figures by district.",
            status="no district equivalence file loaded",
        )
    by_district: dict[str, list[DistrictRow]] = defaultdict(list)
    for row in equivalence.rows:
        by_district[row.district].append(row)
    rows = []
    for district in equivalence.districts():
        shares = {row.county_fips: row.share for row in by_district[district]}
        serving = [entry for entry in entries if shares.keys() & set(entry.counties)]
        employers = employer_county.keys()
        located = sum(
            (shares[employer_county[org]] for org in employers if employer_county.get(org) in shares),
            Decimal(0),
        )
        rows.append(
            (
                district,
                ", ".join(
                    f"{fips}" if share == 1 else f"{fips} ({share.normalize():f})"
                    for fips, share in sorted(shares.items())
                ),
                len(serving),
                located.quantize(ONE_PLACE),
                sum(entry.enrolled for entry in serving),
                sum((entry.committed for entry in serving), ZERO),
            )
        )
    table = Table(
        sheet="By district",
        title=f"By legislative district ({equivalence.name})",
        columns=(
            "district",
            "counties",
            "partnerships_serving",
            "employers_located",
            "workers_enrolled_serving",
            "awarded_serving",
        ),
        rows=tuple(rows),
        kinds={"counties": "text", "employers_located": "count", "awarded_serving": "money"},
        note="A partnership serves a district when its region holds one of the district's counties; it "
        "serves every such district, so the rows do not add up. Employers located: employer members whose "
        "county lies in the district, weighted by the county's share in it (a split county's employer counts "
        "for each district by its share).",
    )
    return Section(
        key="districts",
        title="By legislative district",
        intro=f"Districts of {equivalence.name} (file {equivalence.source or 'uploaded'}, loaded "
        f"{equivalence.loaded}).",
        tables=(table,),
        status="" if rows else NO_RECORDS,
    )


def _money_section(first_day: dt.date) -> Section:
    shares: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for share in AwardFunding.objects.filter(award__starts_on__gte=first_day).values(
        "source_id", "amount", "paid"
    ):
        shares[share["source_id"]][0] += share["amount"]
        shares[share["source_id"]][1] += share["paid"]
    sources = FundingSource.objects.filter(fiscal_year__gte=first_day.year) | FundingSource.objects.filter(
        pk__in=list(shares)
    )
    system_labels = dict(FundingSystem.choices)
    rows = []
    by_system: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for source in sources.distinct().order_by("system", "fiscal_year", "name"):
        committed, paid = shares.get(source.pk, [ZERO, ZERO])
        system = str(system_labels.get(source.system, source.system))
        rows.append((source.name, system, source.fiscal_year, source.amount, committed, paid))
        totals = by_system[system]
        totals[0] += source.amount
        totals[1] += committed
        totals[2] += paid
    money_kinds = {"pool": "money", "committed": "money", "paid": "money", "fiscal_year": "text"}
    table = Table(
        sheet="Money by source",
        title="Money by funding source",
        columns=("source", "system", "fiscal_year", "pool", "committed", "paid"),
        rows=tuple(rows),
        kinds=money_kinds,
        note=f"Pool: the source's amount. Committed and paid: its shares of awards starting on or after "
        f"{first_day:%B %-d, %Y} (sources of fiscal years from {first_day.year} on, and older ones funding "
        "such awards).",
    )
    systems = Table(
        sheet="Money by system",
        title="Money by contributing system",
        columns=("system", "pool", "committed", "paid"),
        rows=tuple((system, *totals) for system, totals in sorted(by_system.items())),
        kinds=money_kinds,
    )
    awards = Table(
        sheet="Awards",
        title="Awards",
        columns=("partnership", "region", "program", "amount", "starts_on", "ends_on", "paid", "state"),
        rows=tuple(
            (
                award.application.partnership.name,
                award.application.partnership.region.name,
                award.application.round.program.name,
                award.amount,
                award.starts_on,
                award.ends_on,
                award.paid,
                str(award.get_state_display()),
            )
            for award in Award.objects.filter(starts_on__gte=first_day)
            .select_related("application__partnership__region", "application__round__program")
            .order_by("starts_on", "application__partnership__name", "id")
        ),
        kinds={"amount": "money", "paid": "money"},
    )
    committed = sum((row[4] for row in rows), ZERO)
    paid = sum((row[5] for row in rows), ZERO)
    chart_rows = [
        {"label": system, "measure": measure, "amount": float(amount)}
        for system, (_, committed_, paid_) in sorted(by_system.items())
        for measure, amount in (("Committed", committed_), ("Paid", paid_))
    ]
    chart = Chart(
        key="money",
        title="Committed and paid by contributing system",
        description="Bar chart of the dollars committed and paid by each contributing system; the table "
        "Money by system gives the same figures.",
        spec=money_bars(chart_rows, title="Committed and paid by contributing system")
        if chart_rows
        else None,
        sheet=systems.sheet,
    )
    return Section(
        key="money",
        title="Money by source",
        intro="State and partner money pooled into grants: what each source committed to awards and what has "
        "been paid.",
        tables=(table, systems, awards),
        figures=(
            Figure("Awards", len(awards.rows), "count", awards.sheet),
            Figure("Dollars committed", committed, "money", table.sheet),
            Figure("Dollars paid", paid, "money", table.sheet),
        ),
        charts=(chart,),
        status="" if rows else NO_RECORDS,
    )


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _share_cells(share: Proportion) -> tuple[Cell, ...]:
    return (_percent(share.estimate), _percent(share.low), _percent(share.high))


def _outcome_row(partnership: str, label: str, result: PairedProportions) -> tuple[Cell, ...]:
    if result.suppressed:
        return (partnership, label, *([SUPPRESSED] * 11))
    return (
        partnership,
        label,
        result.n,
        *_share_cells(result.before),
        *_share_cells(result.after),
        _percent(result.difference),
        _percent(result.low),
        _percent(result.high),
        None if result.p_value is None else round(result.p_value, 4),
    )


ALL_PARTNERSHIPS: Final = "All partnerships"


def _earnings_row(label: str, earnings: PairedMeans) -> tuple[Cell, ...]:
    if earnings.suppressed:
        return (label, *([SUPPRESSED] * 6))
    return (
        label,
        earnings.n,
        *(
            None if value is None else Decimal(str(value)).quantize(Decimal("1"))
            for value in (
                earnings.mean_before,
                earnings.mean_after,
                earnings.estimate,
                earnings.low,
                earnings.high,
            )
        ),
    )


def _outcomes_section(minimum: int) -> Section:
    """``outcomes.portfolio.outcome_portfolio``: all participants pooled, and each partnership's figures with
    complementary suppression across partnerships (a hidden partnership cannot be worked out from the pooled
    total and the others; the outcomes portfolio page shows the same)."""
    portfolio = outcome_portfolio(minimum=minimum)
    share_rows: list[tuple[Cell, ...]] = []
    earnings_rows: list[tuple[Cell, ...]] = []
    subgroup_rows: list[tuple[Cell, ...]] = []
    if portfolio.rows:
        for measure in portfolio.pooled:
            share_rows.append(_outcome_row(ALL_PARTNERSHIPS, measure.label, measure.result))
            for subgroup in measure.subgroups:
                subgroup_rows.append(
                    _outcome_row(measure.label, f"{subgroup.dimension}: {subgroup.group}", subgroup.result)
                )
        earnings_rows.append(_earnings_row(ALL_PARTNERSHIPS, portfolio.earnings))
    for row in portfolio.rows:
        for label, result in zip(portfolio.measure_labels, row.measures, strict=True):
            share_rows.append(_outcome_row(row.partnership.name, label, result))
        earnings_rows.append(_earnings_row(row.partnership.name, row.earnings))
    shares = Table(
        sheet="Outcomes",
        title="Participants before and after (percent, with 95% intervals)",
        columns=(
            "partnership",
            "measure",
            "people",
            "baseline_pct",
            "baseline_low",
            "baseline_high",
            "latest_pct",
            "latest_low",
            "latest_high",
            "change_points",
            "change_low",
            "change_high",
            "p_value",
        ),
        rows=tuple(share_rows),
        kinds={"people": "count", "p_value": "ratio"},
        note=f"The same people at baseline and at their latest follow-up. Shares with Wilson intervals; the "
        f"change with {PAIRED_DIFFERENCE_METHOD}; p-value: exact McNemar test. Any figure resting on fewer "
        f"than {minimum} people is not shown ({SUPPRESSED}).",
    )
    earnings_table = Table(
        sheet="Earnings",
        title="Quarterly earnings before and after (dollars, with 95% intervals)",
        columns=("partnership", "people", "before", "after", "change", "change_low", "change_high"),
        rows=tuple(earnings_rows),
        kinds={
            "people": "count",
            "before": "money",
            "after": "money",
            "change": "money",
            "change_low": "money",
            "change_high": "money",
        },
        note=f"Mean change of the same people (paired t interval). Fewer than {minimum} people: "
        f"{SUPPRESSED}.",
    )
    subgroups = Table(
        sheet="Outcomes by subgroup",
        title="All partnerships' participants by subgroup (percent, with 95% intervals)",
        columns=("measure", "subgroup", *shares.columns[2:]),
        rows=tuple(subgroup_rows),
        kinds=shares.kinds,
        note="Subgroups shown where their cells allow; a subgroup that would let a hidden one be worked out "
        f"from the total is hidden too ({SUPPRESSED}).",
    )
    return Section(
        key="outcomes",
        title="Outcomes",
        intro="What changed for participants: employment, income above the poverty guideline, employer "
        "health insurance, paid sick leave and earnings, for the same people before and after.",
        tables=(shares, earnings_table, subgroups),
        status="" if share_rows else NO_RECORDS,
    )


def _wioa_section(minimum: int) -> Section:
    """WIOA-style indicators from UI wage records (``outcomes.wages.wioa_for_partnership``): each
    partnership's "All exits" row, suppressed as on the outcomes app's own page (complementary across its
    exit cohorts)."""
    exited = (
        SectorPartnership.objects.filter(participants__exited_on__isnull=False)
        .distinct()
        .order_by("name", "id")
    )
    rows: list[tuple[Cell, ...]] = []
    through: tuple[int, int] | None = None
    for partnership in exited:
        summary = wioa_for_partnership(partnership=partnership, minimum=minimum)
        through = summary.through
        if not summary.rows:
            continue
        total = summary.rows[-1]
        cells: list[Cell] = [partnership.name, SUPPRESSED if total.exiters is None else total.exiters]
        for key, _ in WIOA_INDICATORS:
            cell = total.cells[key]
            cells += (
                [SUPPRESSED] * 4
                if cell.suppressed
                else [cell.n, _percent(cell.rate), _percent(cell.low), _percent(cell.high)]
            )
        cells.append(
            SUPPRESSED
            if total.median_earnings_q2 is None
            else Decimal(total.median_earnings_q2).quantize(ZERO)
        )
        rows.append(tuple(cells))
    columns = ["partnership", "exiters"]
    for key, _ in WIOA_INDICATORS:
        columns += [f"{key}_people", f"{key}_pct", f"{key}_low", f"{key}_high"]
    columns.append("median_earnings_q2")
    table = Table(
        sheet="WIOA indicators",
        title="WIOA-style indicators from UI wage records, all exits (percent, with 95% intervals)",
        columns=tuple(columns),
        rows=tuple(rows),
        kinds={"exiters": "count", "median_earnings_q2": "money"},
        note="; ".join(f"{key}: {label}" for key, label in WIOA_INDICATORS)
        + ". Wilson intervals; wage records through "
        + (f"{through[0]} Q{through[1]}" if through else "no quarter yet")
        + f"; fewer than {minimum} people: {SUPPRESSED}.",
    )
    return Section(
        key="wioa",
        title="Employment and earnings after exit (wage records)",
        intro="From the state's unemployment-insurance wage records: employment in the 2nd and 4th quarter "
        "after exit, retention with the same employer, credentials and median earnings.",
        tables=(table,),
        status="" if rows else NO_RECORDS,
    )


def _systems_section(first_day: dt.date) -> Section:
    kinds = dict(SystemsChangeKind.choices)
    changes = SystemsChange.objects.filter(
        Q(occurred_on__gte=first_day) | Q(occurred_on__isnull=True, created_at__date__gte=first_day),
        verified_at__isnull=False,
    ).select_related("partnership")
    table = Table(
        sheet="Systems changes",
        title="Verified systems changes",
        columns=("partnership", "kind", "description", "occurred_on", "verified_on"),
        rows=tuple(
            (
                change.partnership.name,
                str(kinds.get(change.kind, change.kind)),
                change.description,
                change.occurred_on,
                timezone.localdate(change.verified_at) if change.verified_at else None,
            )
            for change in changes.order_by("occurred_on", "id")
        ),
        kinds={"description": "text"},
        note="Only changes state staff verified, from the year on (by when they occurred, else when they "
        "were recorded).",
    )
    return Section(
        key="systems",
        title="Systems changes",
        intro="New or changed education programs, credentials, HR practices, policies and funding that "
        "partnerships brought about, verified by state staff.",
        tables=(table,),
        figures=(Figure("Verified systems changes", len(table.rows), "count", table.sheet),),
        status="" if table.rows else NO_RECORDS,
    )


def _testimonials_section() -> Section:
    table = Table(
        sheet="Testimonials",
        title="Testimonials",
        columns=("partnership", "quote", "attributed_to", "consent_on"),
        rows=tuple(
            (
                testimonial.partnership.name,
                testimonial.quote,
                testimonial.attributed_to,
                testimonial.consent_on,
            )
            for testimonial in Testimonial.objects.filter(consent_to_publish=True)
            .select_related("partnership")
            .order_by("partnership__name", "consent_on", "id")
        ),
        kinds={"quote": "text"},
        note="Only testimonials whose speakers consented to publication (with the date).",
    )
    return Section(
        key="testimonials",
        title="In their words",
        intro="Testimonials, published with their speakers' consent.",
        tables=(table,),
        figures=(Figure("Testimonials", len(table.rows), "count", table.sheet),),
        status="" if table.rows else NO_RECORDS,
    )


# Sections from the capacity, planning and surveys apps (issue 15), each through its app's selectors.


def _percent_cells(share: Proportion) -> tuple[Cell, ...]:
    if share.suppressed:
        return (SUPPRESSED,) * 4
    return (share.n, *_share_cells(share))


def surveys_section(first_day: dt.date) -> Section:
    """Employer survey results (``surveys.selectors.survey_results``) of the surveys opened from the year on
    (drafts left out): response rates, and each standard question's favourable share with its interval."""
    surveys = (
        Survey.objects.filter(opens_on__gte=first_day)
        .exclude(status=SurveyStatus.DRAFT)
        .select_related("partnership")
        .order_by("partnership__name", "opens_on", "id")
    )
    overview: list[tuple[Cell, ...]] = []
    shares: list[tuple[Cell, ...]] = []
    for survey in surveys:
        results = survey_results(survey=survey)
        label = survey.period or survey.title
        overview.append(
            (
                survey.partnership.name,
                survey.title,
                survey.period,
                str(survey.get_status_display()),
                results.invited,
                SUPPRESSED if results.suppressed else results.responses,
                SUPPRESSED
                if results.suppressed or results.response_rate is None
                else round(results.response_rate * 100, 1),
            )
        )
        for share in results.shares:
            shares.append((survey.partnership.name, label, share.label, *_percent_cells(share.share)))
    table = Table(
        sheet="Employer surveys",
        title="Employer surveys and their response rates",
        columns=("partnership", "survey", "period", "status", "invited", "responses", "response_rate_pct"),
        rows=tuple(overview),
        kinds={"invited": "count", "responses": "count", "period": "text"},
        note="Surveys opened from the year on. Fewer responses than the minimum: no figure is shown.",
    )
    results_table = Table(
        sheet="Survey results",
        title="Employer survey results (percent of employers answering, with 95% intervals)",
        columns=("partnership", "survey", "result", "employers", "share_pct", "share_low", "share_high"),
        rows=tuple(shares),
        kinds={"employers": "count", "survey": "text"},
        note=f"Favourable answers among employers who answered the question (Wilson intervals); fewer than "
        f"the minimum: {SUPPRESSED}.",
    )
    return Section(
        key="surveys",
        title="Employer survey results",
        intro="What employers report: turnover, quality of hires, productivity and the value of "
        "collaborating.",
        tables=(table, results_table),
        figures=(Figure("Employer surveys", len(overview), "count", table.sheet),),
        status="" if overview else NO_RECORDS,
    )


def capacity_section(first_day: dt.date) -> Section:
    """Technical assistance hours (``capacity.selectors.ta_hours_by_partnership``, ``ta_hours_total``),
    event attendance (``event_attendance_summary``) and learning networks' attendance rates."""
    hours = ta_hours_by_partnership(since=first_day)
    events = event_attendance_summary(since=first_day)
    networks = learning_network_attendance()
    ta = Table(
        sheet="Technical assistance",
        title="Technical assistance by partnership",
        columns=("partnership", "engagements", "hours"),
        rows=tuple((row.partnership, row.engagements, row.hours) for row in hours),
        kinds={"engagements": "count", "hours": "count"},
        note="Engagements that started from the year on. An engagement serving several partnerships counts "
        "in full for each: the rows may add up to more than the total.",
    )
    attendance = Table(
        sheet="Events",
        title="Events and attendance",
        columns=("kind", "events", "registrations", "attendees"),
        rows=tuple((row.label, row.events, row.registrations, row.attendees) for row in events),
        kinds={"events": "count", "registrations": "count", "attendees": "count"},
        note="Events starting from the year on; registrations holding a place, attendees marked attended.",
    )
    network_table = Table(
        sheet="Learning networks",
        title="Learning networks: sessions attended by each member partnership",
        columns=("network", "partnership", "sessions_held", "sessions_attended", "attendance_pct"),
        rows=tuple(
            (
                row.network,
                row.partnership,
                row.sessions_held,
                row.sessions_attended,
                None if row.rate is None else round(row.rate * 100, 1),
            )
            for row in networks
        ),
        kinds={"sessions_held": "count", "sessions_attended": "count"},
    )
    total = ta_hours_total(since=first_day)
    held = sum(row.events for row in events)
    return Section(
        key="capacity",
        title="Technical assistance and events",
        intro="Technical assistance hours given to partnerships, and attendance at summits, workshops, "
        "webinars and learning-network sessions.",
        tables=(ta, attendance, network_table),
        figures=(
            Figure("Technical assistance hours", total, "count", ta.sheet),
            Figure("Events held", held, "count", attendance.sheet),
            Figure("Event attendees", sum(row.attendees for row in events), "count", attendance.sheet),
        ),
        status="" if hours or held or networks else NO_RECORDS,
    )


def sustainability_section(first_day: dt.date, entries: Sequence[_Partnership] = ()) -> Section:
    """Money partnerships raised beyond state grants, beside the state's awards to them
    (``planning.selectors.sustainability_funding_totals``, one query, and ``sustainability_funding_by_kind``
    for each partnership that raised any)."""
    totals = sustainability_funding_totals(since=first_day)
    state = {entry.pk: entry.committed for entry in entries}
    rows: list[tuple[str, Decimal, Decimal]] = []
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    for partnership in SectorPartnership.objects.filter(pk__in=totals).order_by("name", "id"):
        raised = totals[partnership.pk]
        if not raised:
            continue
        rows.append((partnership.name, raised, state.get(partnership.pk, ZERO)))
        for label, amount in sustainability_funding_by_kind(partnership=partnership, since=first_day):
            by_kind[label] += amount
    table = Table(
        sheet="Sustainability",
        title="Money raised beyond state grants, beside the state's awards",
        columns=("partnership", "raised_beyond_state", "state_awarded"),
        rows=tuple(rows),
        kinds={"raised_beyond_state": "money", "state_awarded": "money"},
        note="Raised: funding records whose period ends on or after 1 January of the year, in full. State "
        "awarded: awards starting from the year on.",
    )
    ordered: list[tuple[str, Decimal]] = sorted(by_kind.items(), key=lambda pair: (-pair[1], pair[0]))
    kinds = Table(
        sheet="Sustainability by kind",
        title="Money raised beyond state grants, by kind",
        columns=("kind", "raised_beyond_state"),
        rows=tuple(ordered),
        kinds={"raised_beyond_state": "money"},
    )
    return Section(
        key="sustainability",
        title="Sustainability: money beyond state grants",
        intro="Funding partnerships raise from employers, philanthropy and others, beside the state's money.",
        tables=(table, kinds),
        figures=(
            Figure(
                "Dollars raised beyond state grants",
                sum((row[1] for row in rows), ZERO),
                "money",
                table.sheet,
            ),
        ),
        status="" if rows else NO_RECORDS,
    )


# --- Vintages, methods, the summary ----------------------------------------------------------------------


def _vintages(
    since: int, equivalence: DistrictEquivalence | None, shapes: str, minimum: int
) -> tuple[tuple[str, str], ...]:
    latest_report = (
        ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("-year", "-quarter").first()
    )
    observed = OutcomeObservation.objects.aggregate(last=Max("observed_on"))["last"]
    paid = Payment.objects.aggregate(last=Max("paid_on"))["last"]
    registry = SectorPartnership.objects.aggregate(last=Max("updated_at"))["last"]
    enrolled = Participant.objects.aggregate(last=Max("enrolled_on"))["last"]
    return (
        ("Report period", f"{since} to {timezone.localdate():%Y-%m-%d}"),
        (
            "Registry (partnerships, members) last changed",
            f"{timezone.localtime(registry):%Y-%m-%d}" if registry else "no records",
        ),
        (
            "Progress reports through",
            f"{latest_report.year} Q{latest_report.quarter}" if latest_report else "no submitted reports",
        ),
        ("Participants enrolled through", f"{enrolled:%Y-%m-%d}" if enrolled else "no participants"),
        ("Outcome observations through", f"{observed:%Y-%m-%d}" if observed else "no observations"),
        ("Payments through", f"{paid:%Y-%m-%d}" if paid else "no payments"),
        (
            "Legislative districts",
            f"{equivalence.name} ({equivalence.source or 'uploaded'}, loaded {equivalence.loaded})"
            if equivalence
            else "no equivalence file loaded",
        ),
        ("County shapes", shapes),
        ("Small-cell minimum", f"{minimum} people"),
    )


METHODS: Final = (
    "Partnerships: every partnership in the registry; started since the year: its earliest stage date (else "
    "the day it was registered) on or after 1 January of the year.",
    "Employers engaged: distinct employer organisations that are employer members or champions of a "
    "partnership.",
    "Workers: sums of submitted quarterly progress reports from the year on, the latest submitted revision "
    "of each quarter.",
    "Money: funding sources' shares of awards starting on or after 1 January of the year; committed is the "
    "share, paid what has been paid of it.",
    "Outcomes: the same participants at baseline and at their latest follow-up (all participants on record, "
    "not only those enrolled since the year), pooled over all partnerships and by partnership; Wilson "
    "intervals for shares, "
    f"{PAIRED_DIFFERENCE_METHOD} for the change, exact McNemar p-values, paired t intervals for earnings.",
    "Small cells: any outcome or survey figure resting on fewer people than the minimum is suppressed, and "
    "partnerships and subgroups complementarily (none can be worked out from the total and the others); "
    "suppressed figures are never written to any output.",
    "Systems changes: only those verified by state staff. Testimonials: only those consented to publication.",
    "Legislative districts: from the loaded district-to-county equivalence file; a partnership serves every "
    "district holding a county of its region.",
)


def legislative_report(
    *,
    since: int,
    district_file: DistrictPlan | DistrictEquivalence | Path | None = None,
    minimum: int = DEFAULT_MINIMUM,
) -> LegislativeReport:
    """The legislative report from ``since`` (a year) to today.

    ``district_file``: a stored ``DistrictPlan``, an equivalence file's path (read, not stored) or an
    equivalence already read; None uses the latest stored plan, if any."""
    first_day = dt.date(since, 1, 1)
    found, employer_county = _partnerships(first_day)
    entries = sorted(found.values(), key=lambda entry: (entry.name, entry.pk))
    equivalence = _equivalence_of(district_file)
    partnerships = _partnership_section(entries, first_day)
    map_section, shapes = _map_section(entries)
    money = _money_section(first_day)
    systems = _systems_section(first_day)
    testimonials = _testimonials_section()
    surveys = surveys_section(first_day)
    capacity = capacity_section(first_day)
    sustainability = sustainability_section(first_day, entries)
    # Headline figures of the sections that have records (a section of an app without records says so
    # instead of showing zeros).
    figures = tuple(
        figure
        for section in (partnerships, money, sustainability, capacity, surveys, systems, testimonials)
        if not section.status
        for figure in section.figures
    )
    summary = Section(
        key="summary",
        title=f"Since {since}",
        intro="The headline figures; each names the sheet of the workbook it is computed from.",
        figures=figures,
        tables=(
            Table(
                sheet="Summary",
                title=f"Headline figures since {since}",
                columns=("figure", "value", "unit", "from_sheet"),
                rows=tuple(
                    (
                        figure.label,
                        figure.value,
                        "dollars" if figure.kind == "money" else "count",
                        figure.sheet,
                    )
                    for figure in figures
                ),
                kinds={"figure": "text", "unit": "text", "from_sheet": "text"},
            ),
        ),
    )
    vintages = _vintages(since, equivalence, shapes, minimum)
    methods_table = Table(
        sheet="Methods",
        title="Data vintages and methods",
        columns=("item", "value"),
        rows=(*vintages, *(("Method", method) for method in METHODS)),
        kinds={"item": "text", "value": "text"},
    )
    return LegislativeReport(
        since=since,
        as_of=timezone.localdate(),
        generated_at=timezone.now().replace(microsecond=0),
        minimum=minimum,
        sections=(
            summary,
            partnerships,
            _region_section(entries, first_day),
            map_section,
            _district_section(entries, equivalence, employer_county),
            money,
            _outcomes_section(minimum),
            _wioa_section(minimum),
            surveys,
            capacity,
            sustainability,
            systems,
            testimonials,
            Section(key="methods", title="Data vintages and methods", intro="", tables=(methods_table,)),
        ),
        vintages=vintages,
        methods=METHODS,
    )


def default_since() -> int:
    """The year the earliest partnership started (the whole history), else this year."""
    starts = [
        _start(partnership)
        for partnership in SectorPartnership.objects.only(
            "created_at", "exploring_since", "planning_since", "implementation_since", "sustaining_since"
        )
    ]
    return min(starts).year if starts else timezone.localdate().year
