"""Placeholder until its commands land."""

import typer


def register(app: typer.Typer) -> None:
    del app
