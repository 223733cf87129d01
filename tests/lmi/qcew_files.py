"""Small QCEW CSV files written in BLS's own layouts, for the ingest tests (generated, never copied)."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

import duckdb

from sectorwise.lmi.sources.qcew import LAYOUTS, Layout

LAYOUT = {layout.name: layout for layout in LAYOUTS}
INDUSTRIES = (("10", 0, 70), ("10", 5, 71), ("1012", 5, 73), ("23", 5, 74), ("236", 5, 75), ("31-33", 5, 74))


def _cell(
    layout: Layout,
    column: str,
    *,
    area: str,
    own: int,
    industry: str,
    agglvl: int,
    year: int,
    qtr: str,
    n: int,
) -> str:
    stored = layout.warehouse_column(column)
    fixed = {
        "area_fips": area,
        "own_code": str(own),
        "industry_code": industry,
        "agglvl_code": str(agglvl),
        "size_code": "0",
        "year": str(year),
        "qtr": qtr,
        "disclosure_code": "N" if n % 5 == 4 else "",
        "area_title": f"Area {area}",
        "own_title": "Private" if own == 5 else "Total Covered",
        "industry_title": f"NAICS {industry}",
        "agglvl_title": f"Level {agglvl}",
        "size_title": "All establishment sizes",
    }
    if stored in fixed:
        return fixed[stored]
    if stored.endswith("disclosure_code"):
        return ""
    if stored.startswith("lq_") or stored.endswith("pct_chg"):
        return f"{(n % 7) / 3:.2f}"
    return str(100 * (n + 1) + len(stored))


def rows(
    layout: Layout, *, area: str = "50001", year: int = 2016, qtrs: Sequence[str] = ("1",)
) -> list[list[str]]:
    """Data rows: a few industries for each period, every cell filled as BLS fills it."""
    out = []
    for qtr in qtrs:
        for n, (industry, own, agglvl) in enumerate(INDUSTRIES):
            out.append(
                [
                    _cell(
                        layout,
                        column,
                        area=area,
                        own=own,
                        industry=industry,
                        agglvl=agglvl,
                        year=year,
                        qtr=qtr,
                        n=n,
                    )
                    for column in layout.columns
                ]
            )
    return out


def render(
    layout: Layout, data: Sequence[Sequence[str]], *, quoted: bool = True, newline: str = "\r\n"
) -> bytes:
    """The file's bytes: BLS quotes the header and every text column; pandas re-writes quote nothing."""
    text_columns = {c for c, t in layout.duckdb_types().items() if t == "VARCHAR"}

    def line(cells: Sequence[str], header: bool = False) -> str:
        if not quoted:
            return ",".join(cells)
        return ",".join(
            f'"{cell}"' if header or column in text_columns else cell
            for column, cell in zip(layout.columns, cells, strict=False)
        )

    lines = [line(layout.columns, header=True), *(line(row) for row in data)]
    return (newline.join(lines) + newline).encode("utf-8")


def write(path: Path, layout_name: str = "quarterly_titled", **kwargs: object) -> Path:
    """A valid file at ``path`` (gzipped when the name ends in .gz); ``kwargs`` go to :func:`rows`."""
    layout = LAYOUT[layout_name]
    quoted = bool(kwargs.pop("quoted", True))
    data = rows(layout, **kwargs)  # type: ignore[arg-type]
    payload = render(layout, data, quoted=quoted)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


def snapshot(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's full content, sorted: equal snapshots mean an unchanged warehouse."""
    if not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in tables}
