"""The `sectorwise` command: thin wrappers over the libraries and the web application."""

from __future__ import annotations

import typer

from sectorwise.lmi.cli import app as lmi_app

app = typer.Typer(
    help="Sectorwise: run a State Sector Strategy end to end.",
    no_args_is_help=True,
)
app.add_typer(lmi_app, name="lmi")


def main() -> None:
    app()
