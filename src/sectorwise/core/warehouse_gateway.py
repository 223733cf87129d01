"""The web's one way into the LMI warehouse: where it is (``settings.SECTORWISE_WAREHOUSE``) and a read-only
connection to it.

Every page that shows labour-market figures reads through :func:`open_warehouse_read_only` and catches
:data:`READ_ERRORS`, so a warehouse being replaced, locked by a foreign writer or damaged gives a note on
the page, never a 500. Sectorwise's own loads write a copy and swap it in (``lmi.warehouse.writing``), and
a request opens the file afresh, so it reads the data as it was before the swap.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from ibis.backends.duckdb import Backend as DuckDBBackend

from sectorwise.lmi import warehouse
from sectorwise.lmi.shapes import county_shapes

logger = logging.getLogger(__name__)

#: What opening or reading the warehouse may raise besides :class:`WarehouseMissing` (a lock, a damaged
#: or foreign file; ``warehouse.WarehouseUnavailable`` is one of them).
READ_ERRORS: Final = warehouse.READ_ERRORS
WarehouseUnavailable = warehouse.WarehouseUnavailable


class WarehouseMissing(LookupError):
    """No warehouse file: nothing loaded yet (pages say "not loaded")."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no LMI warehouse at {path}")
        self.path = path


def warehouse_path() -> Path:
    """``settings.SECTORWISE_WAREHOUSE``; unset, the data directory's ``warehouse.duckdb``, looked up on each
    call as the `sectorwise lmi` commands do (so both read the same file)."""
    configured: Path | None = getattr(settings, "SECTORWISE_WAREHOUSE", None)
    return configured or warehouse.default_warehouse_path()


@contextlib.contextmanager
def open_warehouse_read_only(path: Path | None = None) -> Iterator[DuckDBBackend]:
    """An Ibis connection to the warehouse, closed when the block ends; raises :class:`WarehouseMissing`,
    or one of :data:`READ_ERRORS` when it cannot be opened."""
    target = path or warehouse_path()
    if not target.exists():
        raise WarehouseMissing(target)
    con = warehouse.connect(target, read_only=True)
    try:
        yield con
    finally:
        con.disconnect()


def stored_county_shapes(*, states: Iterable[str], path: Path | None = None) -> list[dict[str, Any]]:
    """County shapes the warehouse holds for ``states`` (``lmi.shapes``; the synthetic demo state ships
    them); [] when there are none or the warehouse cannot be read (the map then falls back to us-atlas)."""
    try:
        with open_warehouse_read_only(path) as con:
            return county_shapes(con.con, states=states)
    except WarehouseMissing:
        return []
    except READ_ERRORS as error:
        logger.warning("county shapes: %s", error)
        return []
