"""`sectorwise lmi regions ...` end to end on small files (and one real comparison)."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi.regions import load_regions
from tests.conftest import shared_data_path

FLOWS = (
    "Home State FIPS CODE,HOME COUNTY FIPS CODE,WORK STATE FIPS CODE,WORK COUNTY FIPS CODE,"
    "Workers in Commuting Flow,Margin of Error\n"
    '50,7,50,7,"60,000",900\n'
    '50,11,50,7,"4,000",300\n'
    '50,11,50,11,"15,000",500\n'
    "50,11,301,,20,15\n"
    '50,5,50,5,"12,000",400\n'
    "50,5,50,7,100,50\n"
    ",,,,,\n"
    '"Source: U.S. Census Bureau, 2009-2013 American Community Survey.",,,,,\n'
)

runner = CliRunner()


@pytest.fixture
def flows_file(tmp_path: Path) -> Path:
    path = tmp_path / "flows.csv"
    path.write_bytes(FLOWS.encode("latin-1"))
    return path


def test_delineate_writes_one_row_per_county(flows_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "zones.csv"
    result = runner.invoke(
        app, ["lmi", "regions", "delineate", "--flows", str(flows_file), "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [(r["county_fips"], r["region_id"]) for r in rows] == [
        ("50005", "CZ50005"),
        ("50007", "CZ50007"),
        ("50011", "CZ50007"),
    ]
    assert {"resident_share_in_zone", "job_share_from_zone", "zone_containment", "stability"} <= set(rows[0])
    assert float(rows[2]["resident_share_in_zone"]) == pytest.approx(19_000 / 19_000)


def test_delineate_json_zones_states_and_save(flows_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "lmi",
            "regions",
            "delineate",
            "--flows",
            str(flows_file),
            "--states",
            "VT",
            "--zones",
            "--draws",
            "0",
            "--format",
            "json",
            "--save",
            "vt-zones",
            "--warehouse",
            str(tmp_path / "w.duckdb"),
        ],
    )
    assert result.exit_code == 0, result.output
    zones = json.loads(result.stdout)
    assert {z["region_id"]: z["counties"] for z in zones} == {"CZ50005": 1, "CZ50007": 2}
    listed = runner.invoke(
        app, ["lmi", "regions", "list", "--warehouse", str(tmp_path / "w.duckdb"), "-f", "csv"]
    )
    assert listed.exit_code == 0, listed.output
    assert "psu2010" in listed.stdout and "vt-zones" in listed.stdout


def test_compare_published_file_and_states(flows_file: Path, tmp_path: Path) -> None:
    zones = tmp_path / "zones.csv"
    runner.invoke(
        app, ["lmi", "regions", "delineate", "--flows", str(flows_file), "-f", "csv", "-o", str(zones)]
    )
    fowler = tmp_path / "county20.csv"
    fowler.write_text('"GEOID","CZ20"\n"50007",1\n"50011",1\n"50005",2\n"50001",3\n')
    result = runner.invoke(
        app, ["lmi", "regions", "compare", str(zones), "fowler2020", "--file-b", str(fowler), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    [agreement] = json.loads(result.stdout)
    assert agreement["adjusted_rand_index"] == 1.0
    assert (agreement["common_counties"], agreement["only_in_b"]) == (3, 1)
    states = runner.invoke(app, ["lmi", "regions", "compare", "states", str(zones)])
    assert states.exit_code == 0, states.output
    assert "adjusted_rand_index" in states.stdout


def test_export_a_zone_as_a_named_region(flows_file: Path, tmp_path: Path) -> None:
    zones = tmp_path / "zones.csv"
    runner.invoke(
        app, ["lmi", "regions", "delineate", "--flows", str(flows_file), "-f", "csv", "-o", str(zones)]
    )
    regions_toml = tmp_path / "regions.toml"
    args = ["lmi", "regions", "export", str(zones), "--county", "50011", "--name", "Burlington CZ"]
    result = runner.invoke(app, [*args, "-o", str(regions_toml)])
    assert result.exit_code == 0, result.output
    region = load_regions(regions_toml)["Burlington CZ"]
    assert region.counties == ("50007", "50011")
    again = runner.invoke(app, [*args, "-o", str(regions_toml)])
    assert again.exit_code == 1
    assert "already defines a region named 'Burlington CZ'" in again.output
    other = runner.invoke(
        app, ["lmi", "regions", "export", str(zones), "--region-id", "CZ50005", "-o", str(regions_toml)]
    )
    assert other.exit_code == 0, other.output
    assert len(tomllib.loads(regions_toml.read_text())["regions"]) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--cutoff", "1.5"], "cutoff must be a number strictly between 0 and 1"),
        (["--cutoff", "0"], "cutoff must be a number strictly between 0 and 1"),
        (["--states", "ZZ"], "unknown state 'ZZ'"),
        (["--states", "NJ"], "no county of state(s) 34"),
        (["--draws", "-1"], "--draws must be 0 or more"),
    ],
)
def test_delineate_bad_input_exits_1_with_a_message(flows_file: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(app, ["lmi", "regions", "delineate", "--flows", str(flows_file), *extra])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_foreign_flows_file_and_bad_compare_specs(tmp_path: Path, flows_file: Path) -> None:
    foreign = tmp_path / "qcew.csv"
    foreign.write_text("area_fips,own_code,industry_code\n50007,0,10\n")
    result = runner.invoke(app, ["lmi", "regions", "delineate", "--flows", str(foreign)])
    assert result.exit_code == 1
    assert "not an ACS commuting-flow table" in " ".join(result.output.split())
    for args, message in [
        (["psu2010", "states"], "psu2010 needs its file"),
        (["nowhere", "states"], "'nowhere' is neither a region-set kind"),
        (["states", "states"], "compare 'states' with another region set"),
        (["cz1980", "states", "--file-a", str(flows_file)], "unknown region-set kind 'cz1980'"),
    ]:
        result = runner.invoke(app, ["lmi", "regions", "compare", *args])
        assert result.exit_code == 1, args
        assert message in " ".join(result.output.split()), result.output
    zones = tmp_path / "zones.csv"
    runner.invoke(
        app, ["lmi", "regions", "delineate", "--flows", str(flows_file), "-f", "csv", "-o", str(zones)]
    )
    unknown = runner.invoke(app, ["lmi", "regions", "export", str(zones), "--county", "99999"])
    assert unknown.exit_code == 1
    assert "unknown county '99999'" in unknown.output


@pytest.mark.realdata
def test_real_compare_of_published_sets() -> None:
    psu = shared_data_path("commuting", "psu_cz2010", "counties10-zqvz0r.csv")
    ers = shared_data_path("commuting", "ers", "cz00_eqv_v1.xls")
    result = runner.invoke(
        app,
        [
            "lmi",
            "regions",
            "compare",
            "psu2010",
            "ers2000",
            "--file-a",
            str(psu),
            "--file-b",
            str(ers),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    [agreement] = json.loads(result.stdout)
    assert 0.5 < agreement["adjusted_rand_index"] < 1.0
    assert agreement["regions_a"] == 625


def test_delineate_names_saved_zones_and_reports_its_stability_draws(
    flows_file: Path, tmp_path: Path
) -> None:
    from sectorwise.lmi.regionsets import load_region_set
    from sectorwise.lmi.warehouse import ensure_schema, open_duckdb

    warehouse = tmp_path / "w.duckdb"
    con = open_duckdb(warehouse)
    ensure_schema(con)
    con.execute("INSERT INTO area_titles VALUES ('50007', 'Chittenden County, Vermont')")
    con.close()
    args = ["lmi", "regions", "delineate", "--flows", str(flows_file), "--warehouse", str(warehouse)]

    result = runner.invoke(app, [*args, "--draws", "3", "--zones", "-f", "json", "--save", "vt"])

    assert result.exit_code == 0, result.output
    assert "Stability: 3 resampled delineations in" in result.stderr
    assert "--draws 0 turns them off" in result.stderr
    zones = {z["region_id"]: z["region_name"] for z in json.loads(result.stdout)}
    assert zones == {"CZ50005": "50005, VT area", "CZ50007": "Chittenden County, VT area"}
    con = open_duckdb(warehouse, read_only=True)
    stored = load_region_set(con, "vt")
    con.close()
    assert stored.to_region("CZ50007").name == "Chittenden County, VT area"

    quiet = runner.invoke(app, [*args, "--draws", "0", "-f", "csv"])
    assert quiet.exit_code == 0, quiet.output
    assert "Stability" not in quiet.stderr
