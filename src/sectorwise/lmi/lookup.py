"""Never silent: the areas, industries, regions and periods a user names, checked against the warehouse.

An unknown name is a typed error that names it and, where a near name exists, says "did you mean" (difflib's
close matches over the codes and their titles, plus titles that contain what was typed), instead of an
empty table and exit code 0. The errors are :class:`sectorwise.lmi.defaults.AnalysisDefaultsError`, which
the command line reports as a message with exit code 1.

Two layers: :func:`suggestions` and the ``unknown_*`` builders are pure (names in, error out); the
``check_*`` functions ask the warehouse first only whether the names given are present (one small query),
and read the full lists of names for the suggestions only when one is not.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from sectorwise.lmi import warehouse
from sectorwise.lmi.defaults import AnalysisDefaultsError, Period, UnknownPeriod, loaded_periods

if TYPE_CHECKING:
    import duckdb
    from ibis.backends.duckdb import Backend as DuckDBBackend

#: How many near names a message offers.
SUGGESTED: Final = 3
#: difflib's similarity cut-off (0-1) for a near name.
CUTOFF: Final = 0.6


class UnknownName(AnalysisDefaultsError):
    """A name the warehouse does not hold; ``suggested`` are the near names offered (maybe none)."""

    def __init__(self, message: str, *, given: str, suggested: Sequence[str] = ()) -> None:
        self.given = given
        self.suggested = tuple(suggested)
        super().__init__(message)


class UnknownArea(UnknownName):
    pass


class UnknownIndustry(UnknownName):
    pass


class UnknownRegionName(UnknownName):
    pass


# --- pure -------------------------------------------------------------------------------------------


def _one_off(a: str, b: str) -> bool:
    """Same length and one character different, or two neighbours swapped (a typed code's typos)."""
    if len(a) != len(b):
        return False
    different = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(different) != 2:
        return len(different) == 1
    i, j = different
    return j == i + 1 and a[i] == b[j] and a[j] == b[i]


def suggestions(given: str, known: Mapping[str, str], *, limit: int = SUGGESTED) -> list[str]:
    """The keys of ``known`` (codes or names -> titles, title may be empty) nearest to ``given``.

    Codes (digits, as FIPS and NAICS codes are) are near only when one character is mistyped or two are
    swapped: difflib finds every five-digit code "close" to every other. Words: the keys one typo away,
    then titles and names containing the text (case-insensitive: "Chittenden" in "Chittenden County,
    Vermont"), then difflib's close matches over the names and titles."""
    text = given.strip().lower()
    if not text:
        return []
    found = [key for key in known if _one_off(text, key.lower())]
    if not text.replace("-", "").isdigit():
        found += [key for key, title in known.items() if text in title.lower() or text in key.lower()]
        by_word: dict[str, list[str]] = {}
        for key, title in known.items():
            by_word.setdefault(key.lower(), []).append(key)
            if title:
                by_word.setdefault(title.lower(), []).append(key)
        for near in difflib.get_close_matches(text, list(by_word), n=limit * 2, cutoff=CUTOFF):
            found += by_word[near]
    return list(dict.fromkeys(found))[:limit]


def _offered(keys: Sequence[str], known: Mapping[str, str]) -> str:
    def one(key: str) -> str:
        title = known.get(key) or ""
        return f"{key} ({title})" if title and title != key else key

    return "; did you mean " + " or ".join(one(key) for key in keys) + "?" if keys else ""


def unknown_area(
    given: str, known: Mapping[str, str], *, option: str = "--area", where: str = ""
) -> UnknownArea:
    """``given`` is not a loaded area: ``known`` maps the loaded area FIPS to their titles."""
    near = suggestions(given, known)
    return UnknownArea(
        f"{option} {given!r} is not in the warehouse{where}{_offered(near, known)}"
        + ("" if near else " (areas are FIPS codes such as 50007, 50000 or US000)"),
        given=given,
        suggested=near,
    )


def unknown_industry(
    given: str, known: Mapping[str, str], *, option: str = "--industry", where: str = ""
) -> UnknownIndustry:
    """``given`` is no loaded industry code (nor a prefix of one): ``known`` maps codes to titles."""
    near = suggestions(given, known)
    return UnknownIndustry(
        f"{option} {given!r} is not in the warehouse{where}{_offered(near, known)}"
        + ("" if near else " (industries are QCEW NAICS codes such as 62, 31-33 or 3254)"),
        given=given,
        suggested=near,
    )


def unknown_region(
    given: str, known: Mapping[str, str], *, option: str = "--region", hint: str = ""
) -> UnknownRegionName:
    """``given`` names no region: ``known`` maps the names it could have meant (a regions file's names,
    stored ``SET:REGION_ID``, stored set names) to their titles."""
    near = suggestions(given, known)
    return UnknownRegionName(
        f"{option} {given!r} is not defined{_offered(near, known)}{hint}", given=given, suggested=near
    )


def check_listed(given: Iterable[str], known: Mapping[str, str], *, prefixes: bool = False) -> list[str]:
    """The names of ``given`` that ``known`` lacks (with ``prefixes``, a name that starts a known code
    counts as known: ``--industry 33`` selects 331...339)."""
    missing = []
    for name in given:
        if name in known:
            continue
        if prefixes and any(key.startswith(name) for key in known):
            continue
        missing.append(name)
    return missing


# --- reading the names the warehouse holds ----------------------------------------------------------


def _raw(con: DuckDBBackend | duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    raw: duckdb.DuckDBPyConnection = getattr(con, "con", con)
    return raw


def _titles(con: duckdb.DuckDBPyConnection, table: str, key: str, title: str) -> dict[str, str]:
    rows = con.execute(f"SELECT {key}, {title} FROM {table}").fetchall()
    return {str(code): str(name or "") for code, name in rows}


def area_names(con: DuckDBBackend | duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every area FIPS loaded (either table) -> its title (``area_titles``; empty when none)."""
    raw = _raw(con)
    rows = raw.execute(
        f"SELECT DISTINCT area_fips FROM {warehouse.QUARTERLY_TABLE} "
        f"UNION SELECT DISTINCT area_fips FROM {warehouse.ANNUAL_TABLE}"
    ).fetchall()
    titles = _titles(raw, "area_titles", "area_fips", "area_title")
    return {str(fips): titles.get(str(fips), "") for fips in sorted(str(row[0]) for row in rows)}


def industry_names(con: DuckDBBackend | duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every industry code loaded (either table) -> its title (``industry_titles``; empty when none)."""
    raw = _raw(con)
    rows = raw.execute(
        f"SELECT DISTINCT industry_code FROM {warehouse.QUARTERLY_TABLE} "
        f"UNION SELECT DISTINCT industry_code FROM {warehouse.ANNUAL_TABLE}"
    ).fetchall()
    titles = _titles(raw, "industry_titles", "industry_code", "industry_title")
    return {code: titles.get(code, "") for code in sorted(str(row[0]) for row in rows)}


def stored_region_names(con: DuckDBBackend | duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every stored region as ``SET:REGION_ID`` -> its name (empty when unnamed), and every set's name ->
    its kind: what a ``--region`` may name from the warehouse."""
    from sectorwise.lmi.regionsets import REGION_SET_NAMES_TABLE, REGION_SETS_TABLE, stored_region_sets

    raw = _raw(con)
    sets = stored_region_sets(raw).to_pylist()
    if not sets:
        return {}
    names = {
        (str(s), str(r)): str(n or "")
        for s, r, n in raw.execute(
            f"SELECT set_name, region_id, region_name FROM {REGION_SET_NAMES_TABLE}"
        ).fetchall()
    }
    found: dict[str, str] = {str(row["set_name"]): f"a region set ({row['kind']})" for row in sets}
    for set_name, region_id in raw.execute(
        f"SELECT DISTINCT set_name, region_id FROM {REGION_SETS_TABLE}"
    ).fetchall():
        found[f"{set_name}:{region_id}"] = names.get((str(set_name), str(region_id)), "")
    return found


# --- checks -----------------------------------------------------------------------------------------


def _present(
    con: duckdb.DuckDBPyConnection, table: str, column: str, names: Sequence[str], period: Period | None
) -> set[str]:
    where = f"{column} IN (SELECT unnest(?))"
    parameters: list[object] = [list(names)]
    if period is not None:
        where += " AND year = ? AND qtr = ?"
        parameters += [period.year, period.qtr]
    rows = con.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {where}", parameters).fetchall()
    return {str(row[0]) for row in rows}


def _table(period: Period | None) -> str:
    return warehouse.ANNUAL_TABLE if period is not None and period.annual else warehouse.QUARTERLY_TABLE


def check_areas(
    con: DuckDBBackend | duckdb.DuckDBPyConnection,
    areas: Sequence[str],
    *,
    period: Period | None = None,
    option: str = "--area",
) -> None:
    """Raise :class:`UnknownArea` for the first of ``areas`` not loaded (for ``period`` when given: an area
    loaded only for other periods is named with the periods it has)."""
    if not areas:
        return
    raw = _raw(con)
    tables = [_table(period)] if period is not None else [warehouse.QUARTERLY_TABLE, warehouse.ANNUAL_TABLE]
    present: set[str] = set()
    for table in tables:
        present |= _present(raw, table, "area_fips", areas, period)
    missing = [area for area in areas if area not in present]
    if not missing:
        return
    known = area_names(raw)
    given = missing[0]
    if given in known and period is not None:
        held = [p for p in _loaded_periods(con, period.annual, given)]
        shown = ", ".join(p.label for p in sorted(held, reverse=True)[:8])
        raise UnknownArea(
            f"{option} {given!r} has no data for {period.label} in the warehouse"
            + (f"; it has {shown}" if shown else ""),
            given=given,
        )
    raise unknown_area(given, known, option=option)


def _loaded_periods(con: DuckDBBackend | duckdb.DuckDBPyConnection, annual: bool, area: str) -> list[Period]:
    raw = _raw(con)
    rows = raw.execute(
        f"SELECT DISTINCT year, qtr FROM {warehouse.ANNUAL_TABLE if annual else warehouse.QUARTERLY_TABLE} "
        "WHERE area_fips = ?",
        [area],
    ).fetchall()
    return [Period(int(year), str(qtr)) for year, qtr in rows]


def check_industries(
    con: DuckDBBackend | duckdb.DuckDBPyConnection,
    industries: Sequence[str],
    *,
    prefixes: bool = False,
    option: str = "--industry",
) -> None:
    """Raise :class:`UnknownIndustry` for the first of ``industries`` that no loaded industry code is (or,
    with ``prefixes``, starts)."""
    if not industries:
        return
    raw = _raw(con)
    present: set[str] = set()
    for table in (warehouse.QUARTERLY_TABLE, warehouse.ANNUAL_TABLE):
        present |= _present(raw, table, "industry_code", industries, None)
    rest = [code for code in industries if code not in present]
    if not rest:
        return
    known = industry_names(raw)
    missing = check_listed(rest, known, prefixes=prefixes)
    if missing:
        raise unknown_industry(missing[0], known, option=option)


def check_period(con: DuckDBBackend, period: Period) -> None:
    """Raise :class:`~sectorwise.lmi.defaults.UnknownPeriod` (naming the loaded periods) when ``period`` is
    not loaded at all."""
    loaded = loaded_periods(con, annual=period.annual)
    if period not in loaded:
        raise UnknownPeriod(period, loaded + loaded_periods(con, annual=not period.annual))


def _sets(known: Mapping[str, str]) -> dict[str, str]:
    return {name: title for name, title in known.items() if ":" not in name}


def check_region_set(
    con: DuckDBBackend | duckdb.DuckDBPyConnection, set_name: str, *, option: str = "--region", spec: str = ""
) -> dict[str, str]:
    """Raise :class:`UnknownRegionName` when the warehouse holds no region set ``set_name``; else return the
    stored names (:func:`stored_region_names`). ``spec``: what the user typed, when more than the name."""
    known = stored_region_names(con)
    sets = _sets(known)
    if set_name not in sets:
        near = suggestions(set_name, sets)
        stored = (
            "" if sets else " (none stored yet: `sectorwise lmi regions store` or `regions delineate --save`)"
        )
        raise UnknownRegionName(
            f"{option} {spec or set_name!r}: no region set named {set_name!r} in the warehouse"
            f"{_offered(near, sets)}{stored}",
            given=spec or set_name,
            suggested=near,
        )
    return known


def check_stored_region(
    con: DuckDBBackend | duckdb.DuckDBPyConnection, spec: str, *, option: str = "--region"
) -> None:
    """Raise :class:`UnknownRegionName` when ``spec`` (``SET:REGION_ID`` or ``SET@COUNTY``) names a set
    the warehouse does not hold, or a region id its set does not have (a county missing from its set is
    left to :func:`~sectorwise.lmi.regionsets.stored_region`, which names it)."""
    separator = "@" if "@" in spec else ":"
    set_name, _, rest = spec.rpartition(separator)
    known = check_region_set(con, set_name, option=option, spec=spec)
    if separator == ":" and spec not in known:
        regions = {name: title for name, title in known.items() if name.startswith(f"{set_name}:")}
        near = suggestions(spec, regions) or suggestions(rest, {k.partition(":")[2]: k for k in regions})
        near = [name if ":" in name else f"{set_name}:{name}" for name in near]
        raise UnknownRegionName(
            f"{option} {spec!r}: region set {set_name!r} has no region {rest!r}{_offered(near, regions)}",
            given=spec,
            suggested=near,
        )


def undefined_region(
    con: DuckDBBackend | duckdb.DuckDBPyConnection,
    name: str,
    defined: Iterable[str],
    *,
    option: str = "--region",
    hint: str = "",
) -> UnknownRegionName:
    """The error for a region name neither defined (``defined``: a regions file's or the command line's)
    nor stored: near names among both, stored regions offered as ``SET:REGION_ID`` with their names."""
    known = {region: "" for region in defined} | stored_region_names(con)
    return unknown_region(name, known, option=option, hint=hint)
