"""The one error path of `sectorwise lmi`: the library's typed errors become a red message and exit code 1.

Commands wrap their work in :func:`reported`; a mistake of the user's own that the library cannot see is
raised as :class:`UserError`. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text


class UserError(Exception):
    """A mistake in what the user gave: printed as a message, exit code 1, no traceback."""


def reported_errors() -> tuple[type[Exception], ...]:
    """The errors that are the user's or the data's, not the program's.

    A function, not a constant: the classes live in modules that load DuckDB, ibis and Arrow, which a
    command's ``--help`` should not wait for (``except reported_errors() as error`` evaluates it only when
    something was raised).
    """
    from sectorwise.lmi.defaults import AnalysisDefaultsError
    from sectorwise.lmi.regions import RegionFileError
    from sectorwise.lmi.regionsets import UnknownCountyError, UnknownRegionError, UnknownRegionSetError
    from sectorwise.lmi.warehouse import WarehouseBusy, WarehouseUnavailable

    return (
        UserError,
        AnalysisDefaultsError,
        RegionFileError,
        UnknownRegionSetError,
        UnknownRegionError,
        UnknownCountyError,
        WarehouseUnavailable,
        WarehouseBusy,
        FileNotFoundError,
    )


def __getattr__(name: str) -> Any:
    # ``REPORTED`` as before, for the commands that import it (and load those modules anyway).
    if name == "REPORTED":
        return reported_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def fail(message: str) -> NoReturn:
    Console(stderr=True).print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)
    raise typer.Exit(1)


@contextlib.contextmanager
def reported(*also: type[Exception]) -> Iterator[None]:
    """Turn :func:`reported_errors` (and ``also``, e.g. ValueError where the library raises it for bad input)
    into :func:`fail`."""
    try:
        yield
    except (*reported_errors(), *also) as error:
        fail(str(error))


def reported_and(*also: type[Exception]) -> tuple[type[Exception], ...]:
    """:func:`reported_errors` plus a command's own library errors, for an ``except`` clause."""
    return (*reported_errors(), *also)
