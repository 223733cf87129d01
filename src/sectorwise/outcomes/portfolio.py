"""The portfolio page: every partnership's aggregate outcomes on one page (state staff and viewers).

All participants pooled (before/after with intervals, by subgroup where the cells allow, a Vega-Lite chart)
and one row per partnership and measure. A partnership's figures rest on fewer than the minimum → "too few
to show"; and since the partnerships' pair counts add up to the pooled count, the column of counts goes
through ``suppress_table`` (complementary suppression), so a hidden partnership cannot be worked out from
the total and the others. Two queries for the whole page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sectorwise.core.access import allow
from sectorwise.evaluation.statistics import DEFAULT_MINIMUM, PairedMeans, PairedProportions, paired_means
from sectorwise.evaluation.suppression import suppress_table
from sectorwise.outcomes.models import OutcomeObservation, Participant, Timing
from sectorwise.outcomes.rules import OutcomeAction
from sectorwise.outcomes.selectors import (
    _FOLLOW_UP_ORDER,
    MEASURES,
    MeasureResult,
    _chart,
    _hidden,
    _paired,
    _subgroups,
)
from sectorwise.partnerships.models import SectorPartnership


@dataclass(frozen=True)
class PartnershipRow:
    partnership: SectorPartnership
    participants_suppressed: bool
    participants: int | None
    measures: list[PairedProportions]
    earnings: PairedMeans


@dataclass(frozen=True)
class Portfolio:
    participants: int
    pooled: list[MeasureResult]
    earnings: PairedMeans
    chart: dict[str, Any] | None
    rows: list[PartnershipRow]
    measure_labels: list[str]
    minimum: int


def _all_pairs() -> tuple[dict[int, list[dict[str, Any]]], dict[int, int]]:
    """Baseline/latest-follow-up pairs by partnership (as ``selectors._pairs``, for every partnership at
    once) and each partnership's number of participants."""
    people = {
        row["id"]: row
        for row in Participant.objects.values(
            "id", "partnership_id", "exited_on", "low_income_at_entry", "sex", "race_ethnicity"
        )
    }
    baseline: dict[int, dict[str, Any]] = {}
    latest: dict[int, dict[str, Any]] = {}
    for found in OutcomeObservation.objects.values(
        "participant_id",
        "timing",
        "employed",
        "in_poverty",
        "employer_health_insurance",
        "paid_sick_leave",
        "quarterly_earnings",
    ):
        row: dict[str, Any] = dict(found)
        person = row["participant_id"]
        if row["timing"] == Timing.BASELINE:
            baseline[person] = row
        elif (
            person not in latest
            or _FOLLOW_UP_ORDER[row["timing"]] > _FOLLOW_UP_ORDER[latest[person]["timing"]]
        ):
            latest[person] = row
    pairs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for person, before in baseline.items():
        after = latest.get(person)
        if after is not None:
            participant = people[person]
            pairs[participant["partnership_id"]].append(
                {"participant": participant, "before": before, "after": after}
            )
    counts: dict[int, int] = defaultdict(int)
    for participant in people.values():
        counts[participant["partnership_id"]] += 1
    return pairs, counts


def _earnings(rows: list[dict[str, Any]], minimum: int) -> PairedMeans:
    pairs = [
        (float(row["before"]["quarterly_earnings"]), float(row["after"]["quarterly_earnings"]))
        for row in rows
        if row["before"]["quarterly_earnings"] is not None and row["after"]["quarterly_earnings"] is not None
    ]
    return paired_means([b for b, _ in pairs], [a for _, a in pairs], minimum=minimum)


def _protected(results: list[PairedProportions], minimum: int) -> list[PairedProportions]:
    """Hide, beyond the small cells, what the pooled total and the other partnerships would give away."""
    if not results:
        return results
    sizes = np.array([[result.n] for result in results], dtype=np.int64)
    table = suppress_table(sizes, minimum=minimum)
    return [
        _hidden() if (index, 0) in table.hidden or result.suppressed else result
        for index, result in enumerate(results)
    ]


def _protected_means(results: list[PairedMeans], minimum: int) -> list[PairedMeans]:
    """The same for earnings: a hidden partnership's sum would follow from the pooled mean and the others'."""
    if not results:
        return results
    sizes = np.array([[result.n] for result in results], dtype=np.int64)
    table = suppress_table(sizes, minimum=minimum)
    hidden = paired_means([], [], minimum=1)
    return [
        hidden if (index, 0) in table.hidden or result.suppressed else result
        for index, result in enumerate(results)
    ]


def outcome_portfolio(*, minimum: int = DEFAULT_MINIMUM) -> Portfolio:
    """Every partnership's outcomes, pooled and one by one, safe to show to whoever may see the page."""
    pairs, counts = _all_pairs()
    partnerships = list(SectorPartnership.objects.filter(pk__in=counts).order_by("name"))
    pooled_rows = [row for rows in pairs.values() for row in rows]
    pooled = [
        MeasureResult(
            key=key,
            label=label,
            result=_paired(pooled_rows, key, minimum),
            subgroups=_subgroups(pooled_rows, key, minimum),
        )
        for key, label in MEASURES
    ]
    by_measure = {
        key: _protected([_paired(pairs.get(p.pk, []), key, minimum) for p in partnerships], minimum)
        for key, _ in MEASURES
    }
    earnings = _protected_means([_earnings(pairs.get(p.pk, []), minimum) for p in partnerships], minimum)
    participant_sizes = np.array([[counts[p.pk]] for p in partnerships], dtype=np.int64)
    hidden_sizes = suppress_table(participant_sizes, minimum=minimum).hidden if partnerships else set()
    rows = []
    for index, partnership in enumerate(partnerships):
        hidden = (index, 0) in hidden_sizes
        rows.append(
            PartnershipRow(
                partnership=partnership,
                participants_suppressed=hidden,
                participants=None if hidden else counts[partnership.pk],
                measures=[by_measure[key][index] for key, _ in MEASURES],
                earnings=earnings[index],
            )
        )
    return Portfolio(
        participants=sum(counts.values()),
        pooled=pooled,
        earnings=_earnings(pooled_rows, minimum),
        chart=_chart(pooled),
        rows=rows,
        measure_labels=[label for _, label in MEASURES],
        minimum=minimum,
    )


@allow(OutcomeAction.VIEW_PORTFOLIO)
def portfolio(request: HttpRequest) -> HttpResponse:
    return render(request, "outcomes/records/portfolio.html", {"portfolio": outcome_portfolio()})
