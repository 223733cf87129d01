"""`sectorwise report legislative`: the legislative report from the command line, with the same numbers as the
page (the same builder, ``reports.legislative.legislative_report``).

Django is set up inside the command, so that `sectorwise --help` stays light.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

SETTINGS_MODULE = "sectorwise.web.settings"

report_app = typer.Typer(
    help="Generate reports from the state's records: the legislative report as PDF, HTML or XLSX.",
    no_args_is_help=True,
)


@report_app.callback()
def report_group() -> None:
    """Generate reports from the state's records: the legislative report as PDF, HTML or XLSX."""


@report_app.command("legislative")
def legislative_command(
    since: Annotated[int, typer.Option("--since", help="The first year the report covers (e.g. 2004).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.", dir_okay=False)],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="pdf, html or xlsx (default: from the output's suffix)."),
    ] = None,
    districts: Annotated[
        Path | None,
        typer.Option(
            "--districts",
            help="A district-to-county (district,county_fips[,share]) or block (district,block) equivalence "
            "file: loaded as a new district plan, then used. Without it, the latest loaded plan is used.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    districts_name: Annotated[
        str | None, typer.Option("--districts-name", help="The plan's name (default: the file's name).")
    ] = None,
) -> None:
    """The legislative report: partnerships, employers and workers since a year, by region, industry and
    district, money by source, outcomes with intervals, systems changes and consented testimonials.

    Every figure of the PDF and HTML is a cell of the XLSX: each table names its sheet.
    """
    chosen = (fmt or output.suffix.lstrip(".")).lower()
    if chosen not in ("pdf", "html", "xlsx"):
        _fail(f"--format must be pdf, html or xlsx (got {chosen or 'nothing'}).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from sectorwise.reports.legislative import legislative_report
    from sectorwise.reports.render import ReportFormat, report_bytes
    from sectorwise.reports.services import district_plan_load

    plan = None
    if districts is not None:
        try:
            plan = district_plan_load(
                name=districts_name or districts.stem, filename=districts.name, content=districts.read_bytes()
            )
        except ValidationError as error:
            _fail("the district file was not loaded: " + "; ".join(error.messages))
        typer.echo(f"Loaded district plan {plan.name!r}: {plan.counties.count()} district-county rows.")
    this_year = timezone.localdate().year
    if not 1990 <= since <= this_year:
        _fail(f"--since must be a year from 1990 to {this_year}.")
    report = legislative_report(since=since, district_file=plan)
    content = report_bytes(report, ReportFormat(chosen), command=" ".join(["sectorwise", *sys.argv[1:]]))
    output.write_bytes(content)
    typer.echo(f"Wrote {output} ({len(content):,} bytes, {chosen}).")


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
