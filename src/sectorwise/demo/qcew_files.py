"""From the finest synthetic cells to BLS's own by_area files, with titles, location quotients and
over-the-year changes computed as BLS defines them.

DuckDB does the summing (every NAICS level, county to state to nation) and the ratios; pyarrow writes
the CSV in BLS's quoting (codes and titles quoted, numbers bare, LQs with two decimals, CRLF line ends).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sectorwise.demo.industries import industry_tree
from sectorwise.demo.qcew_cells import REST_OF_NATION
from sectorwise.lmi.codes import OWNERSHIP_TITLES, SUPPRESSED, US_FIPS

#: The tens of the aggregation level code by kind of area.
AGGLVL_BASE: Final[dict[str, int]] = {"national": 10, "state": 50, "county": 70}
_AGGLVL_KIND_TITLE: Final[dict[int, str]] = {10: "National", 50: "State", 70: "County"}
_AGGLVL_LEVEL_TITLE: Final = (
    "Total Covered",
    "Total -- by ownership sector",
    "by Domain -- by ownership sector",
    "by Supersector -- by ownership sector",
    "NAICS Sector -- by ownership sector",
    "NAICS 3-digit -- by ownership sector",
    "NAICS 4-digit -- by ownership sector",
    "NAICS 5-digit -- by ownership sector",
    "NAICS 6-digit -- by ownership sector",
)
SIZE_TITLE: Final = "All establishment sizes"

QUARTERLY_MEASURES: Final = (
    "qtrly_estabs",
    "month1_emplvl",
    "month2_emplvl",
    "month3_emplvl",
    "total_qtrly_wages",
    "taxable_qtrly_wages",
    "qtrly_contributions",
)
ANNUAL_MEASURES: Final = (
    "annual_avg_estabs",
    "annual_avg_emplvl",
    "total_annual_wages",
    "taxable_annual_wages",
    "annual_contributions",
)

_KEYS: Final = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr")
_TITLES: Final = ("area_title", "own_title", "industry_title", "agglvl_title", "size_title")


@dataclass(frozen=True)
class Layout:
    """One of BLS's by_area layouts: its measures as the warehouse names them and as the file names them."""

    name: str
    measures: tuple[str, ...]  # summable measures, warehouse names
    derived: tuple[str, ...]  # measures computed from the summed ones
    file_names: dict[str, str]  # warehouse name -> file column name where they differ

    def file_name(self, measure: str) -> str:
        return self.file_names.get(measure, measure)


QUARTERLY: Final = Layout(
    name="quarterly",
    measures=QUARTERLY_MEASURES,
    derived=("avg_wkly_wage",),
    file_names={"qtrly_estabs": "qtrly_estabs_count"},
)
ANNUAL: Final = Layout(
    name="annual",
    measures=ANNUAL_MEASURES,
    derived=("annual_avg_wkly_wage", "avg_annual_pay"),
    file_names={"annual_avg_estabs": "annual_avg_estabs_count"},
)


def file_columns(layout: Layout) -> list[str]:
    """The header of a BLS by_area file of this layout (47 quarterly columns, 43 annual)."""
    values = [layout.file_name(m) for m in (*layout.measures, *layout.derived)]
    oty: list[str] = []
    for value in values:
        oty += [f"oty_{value}_chg", f"oty_{value}_pct_chg"]
    return [
        *_KEYS[:7],
        "disclosure_code",
        *_TITLES,
        *values,
        "lq_disclosure_code",
        *(f"lq_{value}" for value in values),
        "oty_disclosure_code",
        *oty,
    ]


def agglvl_titles() -> dict[int, str]:
    return {
        base + level: f"{kind}, {title}"
        for base, kind in _AGGLVL_KIND_TITLE.items()
        for level, title in enumerate(_AGGLVL_LEVEL_TITLE)
    }


def _load_lookups(con: duckdb.DuckDBPyConnection, area_titles: dict[str, str]) -> None:
    tree = industry_tree()
    levels = {
        8: tree.leaves,
        7: tree.naics5,
        6: tree.naics4,
        5: tree.naics3,
        4: tree.sector,
        3: tree.supersector,
        2: tree.domain,
        1: ("10",) * len(tree.leaves),
    }
    leaf_column = [leaf for _ in levels for leaf in tree.leaves]
    hierarchy = pa.table(
        {
            "leaf": leaf_column,
            "industry_code": [code for codes in levels.values() for code in codes],
            "level": np.repeat(np.array(list(levels), dtype=np.int16), len(tree.leaves)),
        }
    )
    con.register("hierarchy_arrow", hierarchy)
    con.execute("CREATE OR REPLACE TEMP TABLE hierarchy AS SELECT * FROM hierarchy_arrow")
    titles = {
        "industry_titles": pa.table(
            {"industry_code": list(tree.titles), "industry_title": list(tree.titles.values())}
        ),
        "area_titles": pa.table({"area_fips": list(area_titles), "area_title": list(area_titles.values())}),
        "own_titles": pa.table(
            {
                "own_code": np.array(list(OWNERSHIP_TITLES), dtype=np.int16),
                "own_title": list(OWNERSHIP_TITLES.values()),
            }
        ),
        "agglvl_titles": pa.table(
            {
                "agglvl_code": np.array(list(agglvl_titles()), dtype=np.int16),
                "agglvl_title": list(agglvl_titles().values()),
            }
        ),
    }
    for name, table in titles.items():
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")


def _cube_sql(source: str, measures: Sequence[str], time_keys: str) -> str:
    """Every area (county, state, nation) at every industry level, summed from the finest cells.

    A cell is suppressed when every finest cell under it is (so a parent of one suppressed child is too);
    state and national cells are never suppressed, and their sums include the suppressed county values.
    """
    sums = ", ".join(f"sum({m})::BIGINT AS {m}" for m in measures)
    plain = ", ".join(measures)
    areas = f"""
        SELECT area_fips, 70 AS agglvl_base, own_code, leaf, {time_keys}, {plain}, suppressed
        FROM {source} WHERE area_fips <> '{REST_OF_NATION}'
        UNION ALL
        SELECT state_fips || '000', 50, own_code, leaf, {time_keys}, {sums}, false
        FROM {source} WHERE state_fips <> '' GROUP BY ALL
        UNION ALL
        SELECT '{US_FIPS}', 10, own_code, leaf, {time_keys}, {sums}, false
        FROM {source} GROUP BY ALL
    """
    return f"""
        WITH areas AS ({areas})
        SELECT area_fips, own_code, industry_code, (agglvl_base + level)::SMALLINT AS agglvl_code,
               {time_keys}, {sums}, bool_and(suppressed) AS suppressed
        FROM areas JOIN hierarchy USING (leaf)
        GROUP BY ALL
        UNION ALL
        SELECT area_fips, 0::SMALLINT, '10', agglvl_base::SMALLINT, {time_keys}, {sums}, false
        FROM areas GROUP BY ALL
    """


def _ratio(numerator: str, denominator: str) -> str:
    return f"CASE WHEN ({denominator}) = 0 THEN NULL ELSE ({numerator}) / ({denominator}) END"


def _output_sql(cube: str, layout: Layout, years: Sequence[int], quarterly: bool) -> str:
    """The by_area rows: values (zeros where suppressed, as BLS publishes them), LQs and changes."""
    if quarterly:
        derived = {
            "avg_wkly_wage": "CASE WHEN {p}month1_emplvl + {p}month2_emplvl + {p}month3_emplvl = 0 THEN 0 "
            "ELSE round({p}total_qtrly_wages / (({p}month1_emplvl + {p}month2_emplvl + {p}month3_emplvl)"
            " / 3.0) / 13) END"
        }
        qtr = "c.qtr::VARCHAR"
        period_join = "c.qtr = {t}.qtr"
    else:
        derived = {
            "annual_avg_wkly_wage": "CASE WHEN {p}annual_avg_emplvl = 0 THEN 0 "
            "ELSE round({p}total_annual_wages / {p}annual_avg_emplvl / 52) END",
            "avg_annual_pay": "CASE WHEN {p}annual_avg_emplvl = 0 THEN 0 "
            "ELSE round({p}total_annual_wages / {p}annual_avg_emplvl) END",
        }
        qtr = "'A'"
        period_join = "true"
    all_measures = (*layout.measures, *layout.derived)

    def value(alias: str, measure: str) -> str:
        if measure in derived:
            return "(" + derived[measure].format(p=f"{alias}.") + ")"
        return f"{alias}.{measure}"

    estabs = layout.measures[0]
    columns = [
        "c.area_fips",
        "c.own_code::VARCHAR AS own_code",
        "c.industry_code",
        "c.agglvl_code::VARCHAR AS agglvl_code",
        "'0' AS size_code",
        "c.year::VARCHAR AS year",
        f"{qtr} AS qtr",
        f"CASE WHEN c.suppressed THEN '{SUPPRESSED}' ELSE '' END AS disclosure_code",
        "a_t.area_title",
        "o_t.own_title",
        "i_t.industry_title",
        "g_t.agglvl_title",
        f"'{SIZE_TITLE}' AS size_title",
    ]
    for m in all_measures:
        shown = value("c", m) if m == estabs else f"CASE WHEN c.suppressed THEN 0 ELSE {value('c', m)} END"
        columns.append(f"({shown})::BIGINT AS {layout.file_name(m)}")
    columns.append(f"CASE WHEN c.suppressed THEN '{SUPPRESSED}' ELSE '' END AS lq_disclosure_code")
    for m in all_measures:
        # BLS's base is the area's total covered employment (own 0, industry 10) for every ownership row.
        lq = _ratio(
            _ratio(f"{value('c', m)}::DOUBLE", value("t", m)),
            _ratio(f"{value('u', m)}::DOUBLE", value("ut", m)),
        )
        shown = f"coalesce(round({lq}, 2), 0)"
        if m != estabs:
            shown = f"CASE WHEN c.suppressed THEN 0 ELSE {shown} END"
        columns.append(f"({shown})::DECIMAL(12, 2) AS lq_{layout.file_name(m)}")
    hidden = "(c.suppressed OR p.suppressed IS NULL OR p.suppressed)"
    columns.append(f"CASE WHEN {hidden} THEN '{SUPPRESSED}' ELSE '' END AS oty_disclosure_code")
    for m in all_measures:
        change = f"{value('c', m)} - {value('p', m)}"
        pct = f"coalesce(round(100.0 * {_ratio(change, value('p', m))}, 1), 0)"
        columns.append(
            f"(CASE WHEN {hidden} THEN 0 ELSE {change} END)::BIGINT AS oty_{layout.file_name(m)}_chg"
        )
        columns.append(
            f"(CASE WHEN {hidden} THEN 0 ELSE {pct} END)::DECIMAL(12, 1) AS oty_{layout.file_name(m)}_pct_chg"
        )
    year_list = ", ".join(str(year) for year in years)
    return f"""
        SELECT {", ".join(columns)}
        FROM {cube} c
        JOIN {cube} t ON t.area_fips = c.area_fips AND t.own_code = 0 AND t.industry_code = '10'
             AND t.year = c.year AND {period_join.format(t="t")}
        JOIN {cube} u ON u.area_fips = '{US_FIPS}' AND u.own_code = c.own_code
             AND u.industry_code = c.industry_code AND u.year = c.year AND {period_join.format(t="u")}
        JOIN {cube} ut ON ut.area_fips = '{US_FIPS}' AND ut.own_code = 0 AND ut.industry_code = '10'
             AND ut.year = c.year AND {period_join.format(t="ut")}
        LEFT JOIN {cube} p ON p.area_fips = c.area_fips AND p.own_code = c.own_code
             AND p.industry_code = c.industry_code AND p.year = c.year - 1 AND {period_join.format(t="p")}
        JOIN area_titles a_t ON a_t.area_fips = c.area_fips
        JOIN own_titles o_t ON o_t.own_code = c.own_code
        JOIN industry_titles i_t ON i_t.industry_code = c.industry_code
        JOIN agglvl_titles g_t ON g_t.agglvl_code = c.agglvl_code
        WHERE c.year IN ({year_list})
    """


@dataclass(frozen=True)
class WrittenFiles:
    quarterly: tuple[Path, ...]
    annual: tuple[Path, ...]
    rows: int

    @property
    def all(self) -> tuple[Path, ...]:
        return self.quarterly + self.annual


def write_by_area_files(
    cells: Iterable[pa.Table],
    *,
    directory: Path,
    area_titles: dict[str, str],
    file_titles: dict[str, str],
    years: Sequence[int],
    annual: bool = True,
    gzip: bool = False,
) -> WrittenFiles:
    """Sum the cells to every level and area and write one quarterly (and annual) by_area file per area
    and year, named as BLS names them: ``<year>.q1-q4 <area_fips> <title>.csv``.

    ``years`` are the years written; the cells must also cover the year before the first, for the changes.
    """
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        _load_lookups(con, area_titles)
        first = True
        for number, table in enumerate(cells):
            con.register(f"cells_{number}", table)
            verb = "CREATE TEMP TABLE cells AS" if first else "INSERT INTO cells"
            con.execute(f"{verb} SELECT * FROM cells_{number}")
            con.unregister(f"cells_{number}")
            first = False
        time_keys = "year, qtr"
        con.execute(f"CREATE TEMP TABLE cube_q AS {_cube_sql('cells', QUARTERLY_MEASURES, time_keys)}")
        quarterly = _write_layout(con, "cube_q", QUARTERLY, years, directory, file_titles, gzip=gzip)
        written_annual: list[tuple[Path, int]] = []
        if annual:
            # Annual figures of the finest cells first, then summed: annual parents add up exactly too.
            con.execute(
                """CREATE TEMP TABLE cells_a AS
                   SELECT area_fips, state_fips, own_code, leaf, year,
                          round(avg(qtrly_estabs))::BIGINT AS annual_avg_estabs,
                          round(sum(month1_emplvl + month2_emplvl + month3_emplvl) / 12)::BIGINT
                              AS annual_avg_emplvl,
                          sum(total_qtrly_wages)::BIGINT AS total_annual_wages,
                          sum(taxable_qtrly_wages)::BIGINT AS taxable_annual_wages,
                          sum(qtrly_contributions)::BIGINT AS annual_contributions,
                          bool_or(suppressed) AS suppressed
                   FROM cells GROUP BY ALL"""
            )
            con.execute(f"CREATE TEMP TABLE cube_a AS {_cube_sql('cells_a', ANNUAL_MEASURES, 'year')}")
            written_annual = _write_layout(con, "cube_a", ANNUAL, years, directory, file_titles, gzip=gzip)
        rows = sum(count for _, count in quarterly) + sum(count for _, count in written_annual)
        return WrittenFiles(
            quarterly=tuple(path for path, _ in quarterly),
            annual=tuple(path for path, _ in written_annual),
            rows=rows,
        )
    finally:
        con.close()


def _write_layout(
    con: duckdb.DuckDBPyConnection,
    cube: str,
    layout: Layout,
    years: Sequence[int],
    directory: Path,
    file_titles: dict[str, str],
    *,
    gzip: bool,
) -> list[tuple[Path, int]]:
    quarterly = layout is QUARTERLY
    columns = ", ".join(file_columns(layout))
    output = f"{cube}_rows"
    con.execute(f"CREATE TEMP TABLE {output} AS {_output_sql(cube, layout, years, quarterly)}")
    areas = [row[0] for row in con.execute(f"SELECT DISTINCT area_fips FROM {output} ORDER BY 1").fetchall()]
    # One fetch per state (and one for the nation) keeps memory bounded at national scale; the files of
    # a fetch are written in parallel (pyarrow's CSV writer releases the GIL).
    groups: dict[str, list[str]] = {}
    for area in areas:
        groups.setdefault(area[:2], []).append(area)
    written: list[tuple[Path, int]] = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for group in groups.values():
            placeholders = ", ".join(f"'{area}'" for area in group)
            result = con.execute(
                f"SELECT {columns} FROM {output} WHERE area_fips IN ({placeholders}) "
                "ORDER BY year, area_fips, agglvl_code, own_code, industry_code, qtr"
            ).arrow()
            table = result.read_all() if isinstance(result, pa.RecordBatchReader) else result
            if table.num_rows == 0:
                continue
            keys = pc.binary_join_element_wise(table.column("year"), table.column("area_fips"), "")
            changed = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1)).to_numpy(zero_copy_only=False)
            starts = np.flatnonzero(np.concatenate(([True], changed)))
            ends = np.append(starts[1:], len(keys))
            parts = [
                table.slice(int(start), int(end - start)) for start, end in zip(starts, ends, strict=True)
            ]
            jobs = []
            for part in parts:
                year = part.column("year")[0].as_py()
                area = part.column("area_fips")[0].as_py()
                period = "q1-q4" if quarterly else "annual"
                folder = directory / f"{year}.{period}.by_area"
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{year}.{period} {area} {file_titles[area]}.csv"
                if gzip:
                    path = path.with_name(path.name + ".gz")
                jobs.append(pool.submit(_write_csv, part, path, gzip=gzip))
                written.append((path, part.num_rows))
            for job in jobs:
                job.result()
    con.execute(f"DROP TABLE {output}")
    return written


def _write_csv(table: pa.Table, path: Path, *, gzip: bool) -> None:
    """BLS's CSV dialect: header and strings quoted, numbers bare, CRLF line ends."""
    options = pacsv.WriteOptions(eol="\r\n", quoting_header="all_valid")
    if gzip:
        with pa.CompressedOutputStream(str(path), "gzip") as stream:
            pacsv.write_csv(table, stream, options)
    else:
        pacsv.write_csv(table, str(path), options)
