"""`sectorwise lmi occupations`: the occupations a region's target industries employ, with wages."""

from __future__ import annotations

from typing import Annotated

import ibis
import typer
from rich.console import Console

from sectorwise.lmi import lookup
from sectorwise.lmi.commands.analysis_inputs import (
    OewsOption,
    PeriodOption,
    WageAreaOption,
    YearOption,
    check_region_loaded,
    codes_list,
    connect,
    oews_from,
    period_table,
    resolve_region,
    wage_area_for,
)
from sectorwise.lmi.commands.errors import REPORTED, UserError, fail
from sectorwise.lmi.commands.options import (
    EstimateOption,
    FormatOption,
    OutputOption,
    RegionOption,
    RegionsFileOption,
    WarehouseOption,
)
from sectorwise.lmi.output import OutputFormat, write_table
from sectorwise.lmi.staffing import (
    STAFFING_ASSUMPTIONS,
    region_industry_employment,
    staffing_pattern,
    year_mix_note,
)


def occupations_command(
    industries: Annotated[
        list[str] | None,
        typer.Option(
            "--industries",
            help="Target industries: QCEW NAICS codes at any level, comma-separated or repeated "
            "(e.g. 3254,5417).",
        ),
    ] = None,
    region: RegionOption = None,
    regions_file: RegionsFileOption = None,
    oews: OewsOption = None,
    wage_area: WageAreaOption = None,
    year: YearOption = None,
    period: PeriodOption = None,
    limit: Annotated[int, typer.Option("--limit", help="Show this many occupations (0: all).")] = 25,
    estimate: EstimateOption = True,
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Estimated jobs by occupation in a region's target industries (national staffing patterns x regional
    industry employment), with the occupations' wages in the region's state or metro area."""
    codes = codes_list(industries)
    try:
        if not codes:
            raise UserError("give the target industries with --industries CODE,CODE,...")
        data = oews_from(oews)
        assert data is not None
        con = connect(warehouse)
        qcew, year_, qtr = period_table(con, year, period, estimate=estimate)
        chosen = resolve_region(region, regions_file, con)
        check_region_loaded(qcew, chosen, year_, qtr)
        lookup.check_industries(con, codes, option="--industries")
        area = wage_area_for(con, qcew, chosen, year_, qtr, data, wage_area)
    except REPORTED as error:
        fail(str(error))
    employment = region_industry_employment(qcew, chosen, codes, year=year_, qtr=qtr).to_pyarrow()
    found = set(employment.column("industry_code").to_pylist())
    notes = list(STAFFING_ASSUMPTIONS)
    mix = year_mix_note(data, year_, qtr)
    if mix is not None:
        notes.insert(0, mix)
    missing = [code for code in codes if code not in found]
    if missing:
        fail(
            f"industry {missing[0]} has no private employment in {chosen.name} for {year_} period {qtr} "
            "(check the code: QCEW NAICS, e.g. 3254 or 31-33)"
        )
    incomplete = [row["industry_code"] for row in employment.to_pylist() if row["incomplete"]]
    if incomplete:
        notes.append(
            "Suppressed cells: employment of " + ", ".join(incomplete) + " is a lower bound (some county "
            "figures withheld by BLS)."
        )
    pattern = staffing_pattern(ibis.memtable(employment), data, wage_area=area.code)
    pattern = pattern.mutate(
        employment_est=pattern.employment_est.round(0), share_of_targets=pattern.share_of_targets.round(4)
    )
    if limit > 0:
        pattern = pattern.limit(limit)
    table = pattern.to_pyarrow()
    write_table(
        table,
        fmt,
        output,
        title=f"Occupations in {', '.join(codes)}, {chosen.name} ({year_} {qtr}); wages: {area.label(data)}, "
        f"OEWS {data.vintage}",
    )
    if fmt is not OutputFormat.TABLE and mix is not None:
        Console(stderr=True).print(mix, highlight=False, soft_wrap=True)
    if fmt is OutputFormat.TABLE:
        console = Console(stderr=output is None)
        console.print("[bold]Assumptions[/]")
        for note in notes:
            console.print(f" - {note}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("occupations")(occupations_command)
