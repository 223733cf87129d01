"""The grants demo records, through the demo loader: a whole cycle with applications in every state, the demo
reviewer's automatic conflict, balances that match the records, and a second run that changes nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from sectorwise.demo import records
from sectorwise.grants import selectors
from sectorwise.grants.models import (
    Application,
    ApplicationState,
    Award,
    AwardFunding,
    FundingSource,
    PaymentRequest,
    Review,
    Round,
)

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_whole_grants_cycle_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "APP_SEEDERS", ("sectorwise.demo.grants_records.seed_grants",))
    loaded = records.load_demo_records(data_dir=tmp_path)
    (line,) = loaded.app_lines
    assert line.startswith("grants: 2 funding sources, 2 programs, 3 rounds"), line
    excluded = re.search(r"(\d+) reviewer conflict\(s\) excluded", line)
    assert excluded is not None and int(excluded.group(1)) >= 1, line
    assert set(Application.objects.values_list("state", flat=True)) == set(ApplicationState.values)
    assert {r.state for r in Round.objects.all()} == {"open", "review_closed"}
    # The demo reviewer: assigned to some, excluded from the one its organisation is a member of.
    assert Review.objects.filter(reviewer__username="reviewer").exists()
    # Balances: each source's committed equals its shares less what closeouts released; paid likewise.
    for source in FundingSource.objects.all():
        shares = AwardFunding.objects.filter(source=source).aggregate(
            amount=Sum("amount"), paid=Sum("paid"), released=Sum("released"), requested=Sum("requested")
        )
        assert source.committed == shares["amount"] - shares["released"]
        assert source.paid == shares["paid"] and source.requested == shares["requested"]
    # One award split across both sources; one closed out; one near its limit; requests in three states.
    assert any(award.funding.count() == 2 for award in Award.objects.all())
    assert Award.objects.filter(state="closed").count() == 1
    assert any(
        award.available / award.amount < Decimal("0.02") for award in Award.objects.filter(state="active")
    )
    assert {r.state for r in PaymentRequest.objects.all()} == {"paid", "pending", "approved"}
    award = Award.objects.order_by("pk").last()
    assert award is not None and selectors.award_report_due_dates(award=award)
    again = records.load_demo_records(data_dir=tmp_path)
    assert again.app_lines == ("grants: records present, left as they were",)
