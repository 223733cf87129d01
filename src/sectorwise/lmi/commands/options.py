"""The options every `sectorwise lmi` command shares, defined once (typer ``Annotated`` aliases).

A new command takes ``warehouse: WarehouseOption = None``, ``fmt: FormatOption = OutputFormat.TABLE``,
``output: OutputOption = None`` and, when it analyses one region, ``region: RegionOption = None`` (resolved
by ``analysis_inputs.resolve_region``), and wraps its body in ``errors.reported()`` (one error path: a red
message and exit code 1). Options only one command has stay in that command's module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sectorwise.lmi.output import OutputFormat

WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="The DuckDB warehouse file (default: $SECTORWISE_DATA_DIR/warehouse.duckdb, else per-user).",
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table (for reading; some commands show key columns only), or csv, json, parquet, xlsx "
        "(every column; parquet and xlsx need -o FILE).",
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write to this file instead of standard output.")
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="The region: a name in --regions-file, NAME=FIPS,FIPS,... on the line, one county FIPS, "
        "or SET:REGION_ID / SET@COUNTY of a region set stored with `sectorwise lmi regions store`.",
    ),
]
RegionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        help="A custom region to aggregate and report: a name from --regions-file or --region-counties, "
        "or SET:REGION_ID / SET@COUNTY of a stored region set; repeatable.",
    ),
]
RegionsFileOption = Annotated[
    Path | None,
    typer.Option("--regions-file", help='TOML file of regions: [regions."Name"] counties = ["50007", ...].'),
]
EstimateOption = Annotated[
    bool,
    typer.Option(
        "--estimate/--no-estimate",
        help="Fill BLS's suppressed cells with the stored estimates (`sectorwise lmi estimate`), flagged "
        "estimated with low/high bounds; --no-estimate gives BLS's published figures exactly.",
    ),
]
