"""A load of the LMI warehouse must not take the partnership pages down (they returned 500 for its whole
length: DuckDB's writer lock refused the pages' read-only connections).

The writers run in another process (``tests.lmi.warehouse_processes``): DuckDB's lock only keeps out other
processes. The page reads the warehouse the settings point to (``$SECTORWISE_DATA_DIR``, a temporary
directory per test)."""

from __future__ import annotations

import logging

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from sectorwise.lmi import warehouse
from sectorwise.partnerships.industry_profile import IndustryProfile
from tests.lmi import warehouse_processes as proc
from tests.web.personas import Personas
from tests.web.test_pages_profile import _load_warehouse

NOTE = "being updated or not available right now"


def _detail(personas: Personas) -> HttpResponse:
    client = Client()
    client.force_login(personas.viewer)
    response: HttpResponse = client.get(
        reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk])
    )
    return response


def _manufacturing_jobs(response: HttpResponse) -> int | None:
    profile = response.context["profile"]  # type: ignore[attr-defined]
    assert isinstance(profile, IndustryProfile)
    return next(row.employment for row in profile.sectors if row.industry_code == "31-33")


@pytest.mark.django_db
def test_the_page_says_the_data_is_unavailable_while_a_writer_locks_the_file(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    _load_warehouse()
    ready, go = proc.SPAWN.Event(), proc.SPAWN.Event()
    # How every load wrote before, and what a program outside Sectorwise may still do.
    writer = proc.start(
        proc.write_and_hold, warehouse.default_warehouse_path(), "SELECT 1", ready, go, in_place=True
    )
    try:
        proc.wait_until(ready, writer)
        with caplog.at_level(logging.WARNING, logger="sectorwise.partnerships"):
            response = _detail(personas)
    finally:
        go.set()
    proc.finish(writer)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Labor-market data: {NOTE}" in body  # the profile
    assert "The labor-market data is being updated or is not available right now" in body  # the health figure
    assert "not loaded" not in body
    logged = [record.getMessage() for record in caplog.records]
    assert any("cannot open the warehouse" in message for message in logged), logged


@pytest.mark.django_db
def test_the_page_shows_the_data_as_it_was_during_a_load_and_the_new_data_after(personas: Personas) -> None:
    _load_warehouse()
    assert _manufacturing_jobs(_detail(personas)) == 300
    ready, go = proc.SPAWN.Event(), proc.SPAWN.Event()
    writer = proc.start(
        proc.write_and_hold,
        warehouse.default_warehouse_path(),
        f"UPDATE {warehouse.ANNUAL_TABLE} SET annual_avg_emplvl = annual_avg_emplvl * 10",
        ready,
        go,
        in_place=False,
    )
    try:
        proc.wait_until(ready, writer)
        during = _detail(personas)
    finally:
        go.set()
    proc.finish(writer)
    assert during.status_code == 200
    assert NOTE not in during.content.decode()
    assert _manufacturing_jobs(during) == 300
    assert _manufacturing_jobs(_detail(personas)) == 3000


@pytest.mark.django_db
def test_a_damaged_warehouse_gives_the_note_not_an_error(personas: Personas) -> None:
    warehouse.default_warehouse_path().write_bytes(b"not a DuckDB file" * 1000)
    response = _detail(personas)
    assert response.status_code == 200
    assert NOTE in response.content.decode()
