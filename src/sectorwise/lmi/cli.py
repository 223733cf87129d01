"""`sectorwise lmi ...`: labor-market information from the command line (thin; calls the library).

The commands' modules are imported only when one of their commands runs (see ``commands.lazy``), so that
`sectorwise lmi --help` and each command's start-up stay quick.
"""

from __future__ import annotations

import typer

from sectorwise.lmi.commands import COMMAND_HELP
from sectorwise.lmi.commands.lazy import LazyCommand, lazy_group

app = typer.Typer(
    help="Labor-market information: ingest BLS QCEW files, compute measures, regions, rankings.",
    no_args_is_help=True,
    cls=lazy_group(
        {
            name: LazyCommand(f"sectorwise.lmi.commands.{module}", text)
            for name, (module, text) in COMMAND_HELP.items()
        }
    ),
)
