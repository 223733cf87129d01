"""The `sectorwise` command: thin wrappers over the libraries and the web application.

Only `lmi` (itself lazy) is imported up front: the web commands load Django and the state set-up loads the
whole LMI engine, so their modules are imported when one of their commands runs (``commands.lazy``).
"""

from __future__ import annotations

import typer

from sectorwise.lmi.cli import app as lmi_app
from sectorwise.lmi.commands.lazy import LazyCommand, lazy_group

_WEB = "sectorwise.web.commands"

app = typer.Typer(
    help="Sectorwise: run a State Sector Strategy end to end.",
    no_args_is_help=True,
    cls=lazy_group(
        {
            "demo": LazyCommand(
                _WEB,
                "Build the demo state (synthetic LMI data, organisations, partnerships, one user per role) "
                "and serve it at http://127.0.0.1:PORT. Development only: refuses to run with "
                "SECTORWISE_DEBUG off.",
            ),
            "serve": LazyCommand(
                _WEB,
                "Serve the web application with gunicorn. Production only: set SECTORWISE_DEBUG=false and a "
                "secret key, run `sectorwise manage migrate` and `sectorwise manage collectstatic` first; "
                "`sectorwise demo` is the way to run in development. Refuses to start with DEBUG on or the "
                "development secret key unless --local-trial, which binds to 127.0.0.1/localhost only.",
            ),
            "manage": LazyCommand(
                _WEB,
                "Run a Django management command: `sectorwise manage migrate`, `sectorwise manage check "
                "--deploy`, `sectorwise manage help` (lists them).",
            ),
            "state": LazyCommand(
                "sectorwise.web.state_setup",
                "Set a state up: its official data, commuting zones, CBSAs and the registry's regions.",
            ),
            "import": LazyCommand(
                "sectorwise.web.import_command",
                "Import a CSV or XLSX file as the pages do: all or nothing, each bad row printed with its "
                "row and field.",
            ),
            "report": LazyCommand(
                "sectorwise.reports.commands",
                "Generate reports from the state's records: the legislative report as PDF, HTML or XLSX.",
            ),
        }
    ),
)
app.add_typer(lmi_app, name="lmi")


def main() -> None:
    app()
