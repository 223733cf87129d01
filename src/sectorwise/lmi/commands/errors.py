"""The one error path of `sectorwise lmi`: the library's typed errors become a red message and exit code 1.

Commands wrap their work in :func:`reported`; a mistake of the user's own that the library cannot see is
raised as :class:`UserError`. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from sectorwise.lmi.defaults import AnalysisDefaultsError
from sectorwise.lmi.regions import RegionFileError
from sectorwise.lmi.regionsets import UnknownCountyError, UnknownRegionError, UnknownRegionSetError
from sectorwise.lmi.warehouse import WarehouseBusy, WarehouseUnavailable


class UserError(Exception):
    """A mistake in what the user gave: printed as a message, exit code 1, no traceback."""


#: The errors that are the user's or the data's, not the program's.
REPORTED: tuple[type[Exception], ...] = (
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


def fail(message: str) -> NoReturn:
    Console(stderr=True).print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)
    raise typer.Exit(1)


@contextlib.contextmanager
def reported(*also: type[Exception]) -> Iterator[None]:
    """Turn :data:`REPORTED` (and ``also``, e.g. ValueError where the library raises it for bad input)
    into :func:`fail`."""
    try:
        yield
    except (*REPORTED, *also) as error:
        fail(str(error))


def reported_and(*also: type[Exception]) -> tuple[type[Exception], ...]:
    """:data:`REPORTED` plus a command's own library errors, for an ``except`` clause."""
    return (*REPORTED, *also)
