"""Loads write a copy of the warehouse and swap it in: readers in other processes are never locked out and
see the data as it was; a failed load changes nothing; two loads queue instead of losing each other's rows.

The writers run in another process (``warehouse_processes``), because DuckDB's lock only keeps out other
processes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi import warehouse
from sectorwise.lmi.ingest import IngestError, ingest_paths
from tests.lmi import warehouse_processes as proc
from tests.lmi.test_ingest_replace import area_slice

CELL = (
    "SELECT month3_emplvl FROM qcew_quarterly WHERE area_fips = ? AND industry_code = '10' AND own_code = 0"
)


def employment(con: duckdb.DuckDBPyConnection, area: str) -> int | None:
    found = con.execute(CELL, [area]).fetchone()
    return None if found is None else int(found[0])


def read(target: Path, area: str) -> int | None:
    con = warehouse.open_duckdb(target, read_only=True)
    try:
        return employment(con, area)
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(target: Path) -> list[str]:
    """Files beside the warehouse other than the warehouse and its lock file."""
    return sorted(
        p.name for p in target.parent.iterdir() if p.name not in {target.name, f"{target.name}.lock"}
    )


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A warehouse with area 50001 at 5 jobs, in a directory of its own."""
    target = tmp_path / "data" / "warehouse.duckdb"
    target.parent.mkdir()
    ingest_paths([area_slice(tmp_path / "first", "50001", employment=5)], warehouse=target)
    return target


def test_a_reader_in_another_process_sees_the_old_data_during_a_load_and_the_new_after(
    live: Path, tmp_path: Path
) -> None:
    ready, go = proc.SPAWN.Event(), proc.SPAWN.Event()
    writer = proc.start(
        proc.ingest_and_hold, live, [area_slice(tmp_path / "again", "50001", employment=7)], ready, go
    )
    try:
        proc.wait_until(ready, writer)  # the new rows are committed in the writer's copy
        # Written in place, the live file would be locked by the writer: this open would fail.
        during = warehouse.open_duckdb(live, read_only=True)
        assert employment(during, "50001") == 5
    finally:
        go.set()
    proc.finish(writer)
    # A connection opened before the swap keeps reading the file it opened (the replaced inode).
    assert employment(during, "50001") == 5
    during.close()
    assert read(live, "50001") == 7
    assert leftovers(live) == []


def test_a_load_that_fails_after_writing_leaves_the_live_file_byte_identical(
    live: Path, tmp_path: Path
) -> None:
    before = digest(live)

    def fail_at_the_last_step(done: int, total: int) -> None:
        if done == total:  # the rows are committed (in the copy); only the swap is left
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        ingest_paths(
            [area_slice(tmp_path / "again", "50001", employment=7)],
            warehouse=live,
            progress=fail_at_the_last_step,
        )
    assert digest(live) == before
    assert leftovers(live) == []
    assert read(live, "50001") == 5


def test_a_load_refused_by_its_checks_leaves_the_live_file_byte_identical(live: Path, tmp_path: Path) -> None:
    before = digest(live)
    empty = tmp_path / "bad" / "50003.csv"
    empty.parent.mkdir()
    empty.write_bytes(area_slice(tmp_path / "header", "50003").read_bytes().splitlines(keepends=True)[0])
    with pytest.raises(IngestError, match="no data rows"):
        ingest_paths([area_slice(tmp_path / "ok", "50005"), empty], warehouse=live)
    assert digest(live) == before
    assert leftovers(live) == []


def test_two_loads_queue_and_keep_each_others_rows(live: Path, tmp_path: Path) -> None:
    ready_a, go_a = proc.SPAWN.Event(), proc.SPAWN.Event()
    ready_b, go_b, progressed_b, waiting_b = (proc.SPAWN.Event() for _ in range(4))
    first = proc.start(proc.ingest_and_hold, live, [area_slice(tmp_path / "a", "50003")], ready_a, go_a)
    second = None
    try:
        proc.wait_until(ready_a, first)
        # A third writer that will not wait is refused, naming the lock file.
        with pytest.raises(warehouse.WarehouseBusy, match=r"warehouse\.duckdb\.lock"):
            ingest_paths([area_slice(tmp_path / "c", "50009")], warehouse=live, lock_timeout=0)
        second = proc.start(
            proc.ingest_and_hold,
            live,
            [area_slice(tmp_path / "b", "50005")],
            ready_b,
            go_b,
            progressed_b,
            waiting_b,
        )
        proc.wait_until(progressed_b, second)
        # The second load waits for the lock: it has not copied the warehouse the first one is replacing.
        assert waiting_b.is_set() and not ready_b.is_set()
    finally:
        go_a.set()
    proc.finish(first)
    assert second is not None
    go_b.set()
    proc.finish(second)
    assert read(live, "50001") == 5
    assert read(live, "50003") is not None and read(live, "50005") is not None
    assert read(live, "50009") is None
    assert leftovers(live) == []


def test_a_copy_left_by_a_killed_load_is_removed_by_the_next(live: Path, tmp_path: Path) -> None:
    abandoned = live.with_name(f".{live.name}.writing-999-dead")
    abandoned.write_bytes(b"half a warehouse")
    ingest_paths([area_slice(tmp_path / "b", "50005")], warehouse=live)
    assert leftovers(live) == []
    assert read(live, "50005") is not None


def test_the_command_gives_up_clearly_when_another_load_holds_the_lock(live: Path, tmp_path: Path) -> None:
    before = digest(live)
    # flock locks belong to the open file, so a lock taken here excludes a writer in this process too.
    with warehouse.writers_lock(live):
        result = CliRunner().invoke(
            app,
            [
                "lmi",
                "ingest",
                str(area_slice(tmp_path / "b", "50005")),
                "--warehouse",
                str(live),
                "--lock-timeout",
                "0",
            ],
        )
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert f"{live}.lock" in output and "Nothing was loaded" in output, output
    assert digest(live) == before
