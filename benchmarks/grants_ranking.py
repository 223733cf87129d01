"""Grants at a round's scale: rank 500 applications with 3 reviewers each, solve the funding recommendation's
split, and time the round page with that data.

    python -m benchmarks.grants_ranking

A fresh process with its own data directory and SQLite database (migrated). The round is written with bulk
inserts (setup, not timed): 500 partnerships and submitted applications in review, 3 submitted reviews each
on the default 5-criterion rubric (7,500 scores), two funding sources (one restricted to training and
contractual costs) pooled into the program. Timed, median of ``REPEATS`` warm runs: ``round_scores``
(weighted totals, spread, ranks), ``round_recommendation`` (rank order within the pooled money, one milp
split per funded application) and the round page (GET, signed-in staff, Django's test client, one client)
twice: after a change (its cached ranking cleared: scores, recommendation and rendering) and unchanged (the
ranking cached under the round's fingerprint).
Figures go to benchmarks/out/grants_ranking.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.table import Table

APPLICATIONS: Final = 500
REVIEWERS: Final = 3
REPEATS: Final = 5
OUT: Final = Path(__file__).resolve().parent / "out"


def _seed() -> Any:
    import datetime as dt
    import random
    from decimal import Decimal

    from sectorwise.accounts.models import User
    from sectorwise.core.roles import Role
    from sectorwise.directory.models import Organization
    from sectorwise.grants import services
    from sectorwise.grants.models import (
        Application,
        ApplicationState,
        BudgetLine,
        Criterion,
        Review,
        ReviewState,
        RoundState,
        Score,
    )
    from sectorwise.partnerships.models import Region, SectorPartnership

    rng = random.Random(11)
    region = Region.objects.create(name="Bench region")
    board = Organization.objects.create(name="Bench board", type="workforce_board")
    partnerships = SectorPartnership.objects.bulk_create(
        SectorPartnership(name=f"Partnership {n:03d}", region=region, convener=board)
        for n in range(APPLICATIONS)
    )
    wioa = services.funding_source_create(
        name="WIOA", system="workforce", fiscal_year=2026, amount=Decimal("20000000.00")
    )
    college = services.funding_source_create(
        name="College fund",
        system="education",
        fiscal_year=2026,
        amount=Decimal("10000000.00"),
        allowed_cost_categories=["training", "contractual"],
    )
    program = services.program_create(name="Planning", kind="planning")
    services.program_contribute(program=program, source=wioa, amount=Decimal("20000000.00"))
    services.program_contribute(program=program, source=college, amount=Decimal("10000000.00"))
    grant_round = services.round_create(
        program=program, name="Round 1", opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 2, 27)
    )
    grant_round.state = RoundState.IN_REVIEW
    grant_round.save()
    now = dt.datetime(2026, 2, 20, tzinfo=dt.UTC)
    applications = Application.objects.bulk_create(
        Application(
            round=grant_round,
            partnership=partnership,
            title=f"{partnership.name} plan",
            state=ApplicationState.IN_REVIEW,
            requested_amount=Decimal(rng.randrange(25_000, 150_000, 1_000)),
            duration_months=6,
            submitted_at=now,
        )
        for partnership in partnerships
    )
    lines = []
    for application in applications:
        amount = application.requested_amount or Decimal(0)
        personnel = (amount * Decimal("0.6")).quantize(Decimal("1"))
        lines += [
            BudgetLine(application=application, category="personnel", amount=personnel),
            BudgetLine(application=application, category="training", amount=amount - personnel),
        ]
    BudgetLine.objects.bulk_create(lines)
    reviewers = [User.objects.create(username=f"reviewer{n}", role=Role.REVIEWER) for n in range(REVIEWERS)]
    reviews = Review.objects.bulk_create(
        Review(application=a, reviewer=r, state=ReviewState.SUBMITTED, submitted_at=now)
        for a in applications
        for r in reviewers
    )
    criteria = list(Criterion.objects.filter(round=grant_round))
    Score.objects.bulk_create(
        Score(review=review, criterion=criterion, score=rng.randint(1, 5))
        for review in reviews
        for criterion in criteria
    )
    staff = User.objects.create(username="bench-staff", role=Role.STATE_STAFF, is_staff=True)
    return grant_round, staff


def _timed(function: Any) -> tuple[float, Any]:
    import time

    times = []
    result = None
    function()  # warm
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _child() -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from sectorwise.grants import selectors

    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    grant_round, staff = _seed()
    scores_s, (_, rows) = _timed(lambda: selectors.round_scores(grant_round=grant_round))
    recommend_s, recommendation = _timed(lambda: selectors.round_recommendation(grant_round=grant_round))
    client = Client()
    client.force_login(staff)
    url = f"/grants/rounds/{grant_round.pk}/"

    def cold() -> Any:
        cache.clear()  # as after any change to the round: ranking and recommendation computed and rendered
        return client.get(url)

    page_s, response = _timed(cold)
    assert response.status_code == 200, response.status_code
    cached_s, response = _timed(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    flagged = sum(1 for row in rows if row.spread is not None and row.spread.disagreement)
    return {
        "applications": len(rows),
        "reviews_per_application": REVIEWERS,
        "round_scores_seconds": round(scores_s, 3),
        "recommendation_seconds": round(recommend_s, 3),
        "funded": len(recommendation.funded),
        "cut": len(recommendation.cut),
        "recommended_total": str(recommendation.total),
        "split_across_two_sources": sum(1 for line in recommendation.funded if len(line.shares) > 1),
        "disagreement_flags": flagged,
        "round_page_seconds": round(page_s, 3),
        "round_page_cached_seconds": round(cached_s, 3),
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
    }


def run(console: Console) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sectorwise-grants-bench-") as work:
        env = {**os.environ, "SECTORWISE_DATA_DIR": work, "DJANGO_SETTINGS_MODULE": "sectorwise.web.settings"}
        env.pop("DATABASE_URL", None)
        output = subprocess.run(
            [
                sys.executable,
                "-c",
                "from benchmarks.grants_ranking import _child; import json; print(json.dumps(_child()))",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-3000:])
    results: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    table = Table(title=f"Grants: {APPLICATIONS} applications x {REVIEWERS} reviewers", header_style="bold")
    table.add_column("measurement")
    table.add_column("median of 5 (warm)")
    table.add_row("round_scores (totals, spread, ranks)", f"{results['round_scores_seconds']:.3f} s")
    table.add_row(
        f"round_recommendation ({results['funded']} funded, {results['cut']} cut)",
        f"{results['recommendation_seconds']:.3f} s",
    )
    table.add_row(
        "round page after a change (scores + recommendation + rendering), one client",
        f"{results['round_page_seconds']:.3f} s",
    )
    table.add_row(
        "round page, nothing changed (the cached ranking), one client",
        f"{results['round_page_cached_seconds']:.3f} s",
    )
    console.print(table)
    OUT.mkdir(exist_ok=True)
    (OUT / "grants_ranking.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    run(Console())
