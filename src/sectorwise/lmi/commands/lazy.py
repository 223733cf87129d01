"""Command groups that import a command's module only when that command runs.

`sectorwise --help` and `sectorwise lmi --help` list every command from the names and one-line helps given
here, without importing the modules behind them (which load DuckDB, Arrow, ibis, pandas and SciPy: seconds
of start-up). A command's module is imported when the command is run or asked for its own ``--help``.
tests/lmi/test_cli_startup.py checks that these one-liners match the commands' own docstrings.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyCommand:
    """A command registered by ``module``'s ``register(app)``, listed with ``help`` until it is needed."""

    module: str
    help: str


class LazyGroup(TyperGroup):
    """A Typer group whose :attr:`lazy` commands come from their modules on first use."""

    lazy: Mapping[str, LazyCommand] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        self._loaded: dict[str, Any] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in self.lazy if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        eager = super().get_command(ctx, cmd_name)
        if eager is not None or cmd_name not in self.lazy:
            return eager
        entry = self.lazy[cmd_name]
        if self._listing:
            # Only the name and the one-liner are shown: no reason to import the module.
            return TyperCommand(name=cmd_name, help=entry.help)
        return self._load(entry.module)[cmd_name]

    def _load(self, module: str) -> Any:
        if module not in self._loaded:
            holder = typer.Typer()
            importlib.import_module(module).register(holder)
            self._loaded[module] = typer.main.get_group(holder).commands
        return self._loaded[module]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def lazy_group(commands: Mapping[str, LazyCommand]) -> type[LazyGroup]:
    """A :class:`LazyGroup` class for ``typer.Typer(cls=...)`` with these lazy commands."""
    return type("LazyCommands", (LazyGroup,), {"lazy": dict(commands)})
