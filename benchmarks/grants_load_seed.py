"""Seed the grants load benchmarks (run in its own process: it configures Django).

``python -m benchmarks.grants_load_seed pages`` migrates the database the environment names and writes the
round of ``benchmarks/grants_ranking.py`` (500 applications in review, 3 submitted reviews each), then 100
awards from the top of its ranking (through ``services.award_create``: split across the two sources), a
reviewer with 20 unsubmitted assignments, and a convener with drafts in an open round of a second program and
3 of the awards; prints one JSON line: the pages to load and a session cookie per user.

``python -m benchmarks.grants_load_seed spike [N]`` writes an open round with N (200) conveners, each with its
own partnership and a complete draft (narrative, budget adding up, the required industry assessment
attached), and two state staff to be told of each submission; prints the conveners' session cookies, CSRF
secrets and edit pages.

``python -m benchmarks.grants_load_seed check`` (after the spike) prints what the database recorded: the
applications by state, submitted timestamps, history rows of the submission per application, notifications.

Setup uses bulk inserts (not measured); sessions are made here (``Client.force_login``) so that no login and
no Argon2 hash sits in the measured loop.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import string
import sys
import time
from decimal import Decimal
from typing import Any, Final

SPIKE_CONVENERS: Final = 200
AWARDS: Final = 100
REVIEWER_ASSIGNMENTS: Final = 20


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorwise.web.settings")
    import django

    django.setup()


def _session(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _csrf_secret() -> str:
    """A CSRF cookie value (Django accepts the unmasked 32-character secret in the form field too)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


NARRATIVE: Final = {
    "summary": "Plan the partnership's first year.",
    "industry_assessment": "Aerospace parts: LQ 1.8, 1,200 jobs (QCEW 2025).",
    "employer_engagement": "Three employers co-chair.",
    "plan": "Monthly meetings; a skills survey.",
    "outcomes": "A shared curriculum.",
    "sustainability": "Employer dues from year two.",
}


def _open_round(name: str, *, required: tuple[str, ...] = ()) -> Any:
    from sectorwise.grants import services

    source = services.funding_source_create(
        name=f"{name} fund", system="workforce", fiscal_year=2026, amount=Decimal("50000000.00")
    )
    program = services.program_create(name=name, kind="planning")
    services.program_contribute(program=program, source=source, amount=Decimal("50000000.00"))
    grant_round = services.round_create(
        program=program, name="Deadline round", opens_on=dt.date(2026, 11, 2), closes_on=dt.date(2026, 12, 31)
    )
    grant_round.required_attachments = list(required)
    grant_round.save()
    return services.round_open(grant_round=grant_round)


def _drafts(grant_round: Any, partnerships: list[Any], user: Any, *, attach: bool) -> list[Any]:
    """Complete drafts (bulk: setup), 100,000 requested, two budget lines, the assessment attached."""
    from sectorwise.grants.models import Application, Attachment, BudgetLine

    applications = Application.objects.bulk_create(
        Application(
            round=grant_round,
            partnership=partnership,
            title=f"{partnership.name} plan",
            requested_amount=Decimal("100000.00"),
            duration_months=6,
            created_by=user,
            **NARRATIVE,
        )
        for partnership in partnerships
    )
    BudgetLine.objects.bulk_create(
        line
        for application in applications
        for line in (
            BudgetLine(
                application=application,
                category="personnel",
                amount=Decimal("90000.00"),
                match_amount=Decimal("5000.00"),
                match_source="Board",
            ),
            BudgetLine(application=application, category="travel", amount=Decimal("10000.00")),
        )
    )
    if attach:
        pdf = b"%PDF-1.4\n% industry assessment\n" + b"0" * 2000 + b"\n%%EOF\n"
        Attachment.objects.bulk_create(
            Attachment(
                application=application,
                kind="industry_assessment",
                file_name="assessment.pdf",
                content_type="application/pdf",
                file_size=len(pdf),
                content=pdf,
                vintage="QCEW 2025 annual",
            )
            for application in applications
        )
    return applications


def seed_pages() -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import reverse

    from benchmarks.grants_ranking import _seed
    from sectorwise.accounts.models import User
    from sectorwise.core.roles import Role
    from sectorwise.directory.models import Organization
    from sectorwise.grants import selectors, services
    from sectorwise.grants.models import Review
    from sectorwise.partnerships.models import Region, SectorPartnership

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    grant_round, staff = _seed()
    _, rows = selectors.round_scores(grant_round=grant_round)
    awarded = []
    for row in rows[:AWARDS]:
        application = row.application
        awarded.append(
            services.award_create(
                application=application,
                amount=application.requested_amount,
                starts_on=dt.date(2026, 4, 1),
                ends_on=dt.date(2026, 9, 30),
            )
        )
    # A convener with three of the awards and drafts in an open round of another program.
    organization = Organization.objects.create(name="Bench convener", type="workforce_board")
    SectorPartnership.objects.filter(pk__in=[a.application.partnership_id for a in awarded[:3]]).update(
        convener=organization
    )
    region = Region.objects.get(name="Bench region")
    own = SectorPartnership.objects.bulk_create(
        SectorPartnership(name=f"Convener's partnership {n}", region=region, convener=organization)
        for n in range(3)
    )
    convener = User.objects.create(
        username="bench-convener", role=Role.CONVENER, organization=organization, email="c@example.org"
    )
    open_round = _open_round("Planning B")
    drafts = _drafts(open_round, own, convener, attach=False)
    # A reviewer with assignments still to score (draft reviews count for nothing in the ranking).
    reviewer = User.objects.create(username="bench-reviewer", role=Role.REVIEWER, email="r@example.org")
    Review.objects.bulk_create(
        Review(application=row.application, reviewer=reviewer) for row in rows[AWARDS : AWARDS + 20]
    )
    to_score = [row.application for row in rows[AWARDS : AWARDS + REVIEWER_ASSIGNMENTS]]
    cookie = settings.SESSION_COOKIE_NAME
    sessions = {
        "staff": f"{cookie}={_session(staff)}",
        "convener": f"{cookie}={_session(convener)}",
        "reviewer": f"{cookie}={_session(reviewer)}",
        "anonymous": "",
    }
    pages = {
        # name: [who, path or paths, weight]
        "round list (staff)": ["staff", reverse("grants:round_list"), 2],
        "round page (staff, 500 applications)": [
            "staff",
            reverse("grants:round_detail", args=[grant_round.pk]),
            3,
        ],
        "funding list (staff)": ["staff", reverse("grants:funding_source_list"), 1],
        "awards list (staff, 100)": ["staff", reverse("grants:award_list"), 2],
        "award page (staff)": [
            "staff",
            [reverse("grants:award_detail", args=[a.pk]) for a in awarded[::5]],
            2,
        ],
        "API applications (staff)": ["staff", "/api/grants/applications", 1],
        "round list (convener)": ["convener", reverse("grants:round_list"), 2],
        "application edit (convener)": [
            "convener",
            [reverse("grants:application_edit", args=[a.pk]) for a in drafts],
            3,
        ],
        "awards list (convener)": ["convener", reverse("grants:award_list"), 1],
        "award page (convener)": [
            "convener",
            [reverse("grants:award_detail", args=[a.pk]) for a in awarded[:3]],
            1,
        ],
        "API applications (convener)": ["convener", "/api/grants/applications", 1],
        "round list (reviewer)": ["reviewer", reverse("grants:round_list"), 1],
        "score page (reviewer)": [
            "reviewer",
            [reverse("grants:application_score", args=[a.pk]) for a in to_score],
            3,
        ],
        "API applications (reviewer)": ["reviewer", "/api/grants/applications", 1],
        "public awards (anonymous, 100)": ["anonymous", reverse("grants:public_awards"), 2],
    }
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "counts": {
            "applications in the round": len(rows),
            "reviews": len(rows) * 3,
            "awards": len(awarded),
        },
        "round_page": reverse("grants:round_detail", args=[grant_round.pk]),
        "sessions": sessions,
        "pages": pages,
    }


def seed_spike(conveners: int = SPIKE_CONVENERS) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import reverse

    from sectorwise.accounts.models import User
    from sectorwise.core.roles import Role
    from sectorwise.directory.models import Organization
    from sectorwise.partnerships.models import Region, SectorPartnership

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    grant_round = _open_round("Planning", required=("industry_assessment",))
    region = Region.objects.create(name="Spike region")
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Convener {n:03d}", type="workforce_board") for n in range(conveners)
    )
    partnerships = SectorPartnership.objects.bulk_create(
        SectorPartnership(name=f"Partnership {n:03d}", region=region, convener=organization)
        for n, organization in enumerate(organizations)
    )
    users = [
        User.objects.create(
            username=f"convener{n:03d}",
            role=Role.CONVENER,
            organization=organization,
            email=f"convener{n:03d}@example.org",
        )
        for n, organization in enumerate(organizations)
    ]
    applications = []
    for partnership, user in zip(partnerships, users, strict=True):
        applications += _drafts(grant_round, [partnership], user, attach=True)
    for n in range(2):
        User.objects.create(
            username=f"staff{n}", role=Role.STATE_STAFF, is_staff=True, email=f"staff{n}@example.org"
        )
    form = {
        "title": "",
        "requested_amount": "100000.00",
        "duration_months": "6",
        "budget": "personnel; 90000.00; 5000.00; Board\ntravel; 10000.00",
        **NARRATIVE,
        "submit": "Submit",
    }
    submitters = []
    for application, user in zip(applications, users, strict=True):
        csrf = _csrf_secret()
        submitters.append(
            {
                "cookie": f"{settings.SESSION_COOKIE_NAME}={_session(user)}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                "csrf": csrf,
                "path": reverse("grants:application_edit", args=[application.pk]),
                "title": application.title,
            }
        )
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "counts": {"conveners": conveners, "drafts": len(applications)},
        "form": form,
        "submitters": submitters,
    }


def check() -> dict[str, Any]:
    """What the spike left in the database: every draft submitted exactly once?"""
    from django.db.models import Count

    from sectorwise.grants.models import Application, Notification

    by_state = dict(
        Application.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    history = Application.history.model.objects
    transitions = dict(
        history.filter(state="submitted")
        .values_list("id")
        .annotate(n=Count("history_id"))
        .values_list("id", "n")
    )
    per_application = [transitions.get(pk, 0) for pk in Application.objects.values_list("pk", flat=True)]
    return {
        "applications": sum(by_state.values()),
        "by_state": by_state,
        "submitted_with_timestamp": Application.objects.filter(
            state="submitted", submitted_at__isnull=False
        ).count(),
        "submitted_history_rows": sum(per_application),
        "applications_with_one_submitted_history_row": sum(1 for n in per_application if n == 1),
        "applications_with_several": sum(1 for n in per_application if n > 1),
        "notifications": Notification.objects.count(),
    }


def main() -> None:
    _setup_django()
    mode = sys.argv[1] if len(sys.argv) > 1 else "pages"
    if mode == "pages":
        result = seed_pages()
    elif mode == "spike":
        result = seed_spike(int(sys.argv[2]) if len(sys.argv) > 2 else SPIKE_CONVENERS)
    elif mode == "check":
        result = check()
    else:
        raise SystemExit(f"unknown mode {mode!r}: pages, spike or check")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
