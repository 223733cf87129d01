"""PreparedQueries: a region profile compiled once per shape gives, for every region and reference, exactly
what executing the Ibis expression gives; a value that shapes the query is refused, never cached."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from sectorwise.lmi import warehouse as lmi_warehouse
from sectorwise.lmi.measures import location_quotients, quarterly_measures
from sectorwise.lmi.prepared import PreparedQueries, UnpreparableQueryError, to_arrow
from sectorwise.lmi.regions import Region
from sectorwise.lmi.shiftshare import shift_share
from tests.lmi.lmi_real_warehouse import real_warehouse

pytestmark = pytest.mark.realdata

KEYS = [("area_fips", "ascending"), ("own_code", "ascending"), ("industry_code", "ascending")]


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by(KEYS)


def test_profiles_of_different_regions_and_references_from_one_compiled_shape() -> None:
    con = lmi_warehouse.connect(real_warehouse("50"), read_only=True)
    try:
        qcew = con.table(lmi_warehouse.QUARTERLY_TABLE)

        def measures(name: str, counties: Sequence[str], reference: str) -> ir.Table:
            region = Region(name=name, counties=tuple(counties))
            return quarterly_measures(
                qcew, year=2016, qtr="4", reference=reference, areas=[], regions=[region]
            )

        def shifts(name: str, counties: Sequence[str], reference: str) -> ir.Table:
            region = Region(name=name, counties=tuple(counties))
            return shift_share(
                qcew, area=name, reference=reference, start=(2016, "1"), end=(2016, "4"), regions=[region]
            )

        prepared = PreparedQueries(con)
        cases = [
            {"name": "North", "counties": ("50005", "50009", "50019"), "reference": "50000"},
            {"name": "South", "counties": ("50003", "50025", "50027"), "reference": "50000"},
            {
                "name": "Chittenden+",
                "counties": ("50007", "50011", "50013"),
                "reference": "50007",
            },  # also a member
        ]
        seen = []
        for values in cases:
            for shape, build in (("measures", measures), ("shifts", shifts)):
                got = prepared.to_pyarrow((shape, 3), build, values)
                expected = build(**values).to_pyarrow()
                assert got.schema == expected.schema
                assert _sorted(got).equals(_sorted(expected)), (shape, values["name"])
                assert got.num_rows > 0
                seen.append(got)
            if values["name"] == "South":
                assert len(prepared) == 2  # one compiled template per shape, reused for another region
        # The reference that is also a member county is another pattern of equal values: compiled anew.
        assert len(prepared) == 4
        assert not seen[0].equals(seen[2])  # the regions' figures really differ
    finally:
        con.disconnect()


def test_a_value_that_shapes_the_query_is_refused_not_cached() -> None:
    con = lmi_warehouse.connect(real_warehouse("50"), read_only=True)
    try:
        qcew = con.table(lmi_warehouse.QUARTERLY_TABLE)

        def state_of(area: str) -> ir.Table:
            # The state code is cut from the value in Python: binding `area` alone would go stale.
            rows = qcew.filter(qcew.area_fips == area)
            return rows.select(rows.month3_emplvl, state=ibis.literal(area[:2] + "000"))

        prepared = PreparedQueries(con)
        with pytest.raises(UnpreparableQueryError):
            prepared.to_pyarrow("state", state_of, {"area": "50007"})
        assert len(prepared) == 0
    finally:
        con.disconnect()


def test_to_arrow_gives_what_ibis_gives_also_with_memtables() -> None:
    con = lmi_warehouse.connect(real_warehouse("50"), read_only=True)
    try:
        qcew = con.table(lmi_warehouse.QUARTERLY_TABLE)
        national = location_quotients(qcew, year=2016, qtr="2", reference="50000")
        got = to_arrow(national)
        expected = national.to_pyarrow()
        assert got.schema == expected.schema
        assert got.num_rows == expected.num_rows > 10_000
        assert _sorted(got).equals(_sorted(expected))
        # An in-memory table in the expression is registered with DuckDB, as Ibis does.
        counties = ibis.memtable({"area_fips": ["50007", "50023"]})
        joined = national.semi_join(counties, "area_fips")
        assert _sorted(to_arrow(joined)).equals(_sorted(joined.to_pyarrow()))
    finally:
        con.disconnect()
