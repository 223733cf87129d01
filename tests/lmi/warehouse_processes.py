"""Warehouse writers run in ANOTHER process (DuckDB's file lock is per process, so a thread would prove
nothing), held open mid-write until the test releases them. Spawned, not forked: DuckDB's threads do not
survive a fork, and the web tests' Django must not be re-imported in the child (this module imports only the
LMI library)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event
from pathlib import Path

import duckdb

from sectorwise.lmi import warehouse
from sectorwise.lmi.ingest import ingest_paths

#: A safety net so a broken test cannot hang the suite; no test depends on how long anything takes.
RELEASE_WAIT_SECONDS = 120.0

SPAWN = multiprocessing.get_context("spawn")


def _wait_for(go: Event) -> None:
    if not go.wait(RELEASE_WAIT_SECONDS):
        raise RuntimeError("the test never released the writer")


def ingest_and_hold(
    target: Path,
    paths: Sequence[Path],
    ready: Event,
    go: Event,
    progressed: Event | None = None,
    waiting: Event | None = None,
) -> None:
    """``sectorwise lmi ingest``'s path, stopped at its last progress step (the load is committed in the copy,
    not yet swapped in) until ``go``. ``progressed`` is set when the load is waiting for the writers' lock or
    has reached the hold, whichever comes first; ``waiting`` only in the first case."""

    def told_to_wait(_lock: Path) -> None:
        if waiting is not None:
            waiting.set()
        if progressed is not None:
            progressed.set()

    def progress(done: int, total: int) -> None:
        if done == total:
            ready.set()
            if progressed is not None:
                progressed.set()
            _wait_for(go)

    ingest_paths(paths, warehouse=target, progress=progress, on_wait=told_to_wait)


def write_and_hold(target: Path, statement: str, ready: Event, go: Event, *, in_place: bool) -> None:
    """Run ``statement`` in a write to ``target`` and hold the writer open until ``go``.

    ``in_place=True`` is how every load wrote before: a read-write DuckDB connection on the live file, whose
    lock keeps every other process out, readers included. ``in_place=False`` is ``warehouse.writing``.
    """
    if in_place:
        con = duckdb.connect(str(target))
        try:
            con.execute(statement)
            ready.set()
            _wait_for(go)
        finally:
            con.close()
        return
    with warehouse.writing(target) as con:
        con.execute(statement)
        ready.set()
        _wait_for(go)


def start(target: object, *args: object, **kwargs: object) -> SpawnProcess:
    process = SPAWN.Process(target=target, args=args, kwargs=kwargs, daemon=True)
    process.start()
    return process


def wait_until(event: Event, process: SpawnProcess) -> None:
    """Wait for ``event``; fail at once if the process died first (its error is in its stderr)."""
    deadline = time.monotonic() + RELEASE_WAIT_SECONDS  # a safety net only
    while not event.wait(0.1):
        if not process.is_alive():
            raise AssertionError(
                f"the writer process ended (exit code {process.exitcode}) before it was ready"
            )
        if time.monotonic() > deadline:
            raise AssertionError("the writer process never got ready")


def finish(process: SpawnProcess) -> None:
    process.join(RELEASE_WAIT_SECONDS)
    assert process.exitcode == 0, f"the writer process failed (exit code {process.exitcode})"
