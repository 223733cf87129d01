"""`sectorwise lmi ...`: labor-market information from the command line (thin; calls the library)."""

from __future__ import annotations

import importlib

import typer

from sectorwise.lmi.commands import COMMAND_MODULES

app = typer.Typer(
    help="Labor-market information: ingest BLS QCEW files, compute measures, regions, rankings.",
    no_args_is_help=True,
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"sectorwise.lmi.commands.{_name}").register(app)
