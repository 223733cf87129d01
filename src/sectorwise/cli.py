"""The `sectorwise` command: thin wrappers over the libraries and the web application."""

from __future__ import annotations

import typer

from sectorwise.lmi.cli import app as lmi_app
from sectorwise.web.commands import register as register_web_commands
from sectorwise.web.state_setup import register as register_state_commands

app = typer.Typer(
    help="Sectorwise: run a State Sector Strategy end to end.",
    no_args_is_help=True,
)
app.add_typer(lmi_app, name="lmi")
register_web_commands(app)
register_state_commands(app)


def main() -> None:
    app()
