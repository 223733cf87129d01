"""Seed a state-sized registry for the web load benchmark (run in its own process: it configures Django).

``python -m benchmarks.web_load_seed`` migrates the database the environment names (a scratch SQLite file in
``SECTORWISE_DATA_DIR``, or ``DATABASE_URL``), fills it with bulk_create and prints one JSON line: the
paths to load and the session cookies of signed-in users. Deterministic (a fixed random seed).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from typing import Any, Final

PARTNERSHIPS: Final = 1_000
ORGANIZATIONS: Final = 20_000
MEMBERSHIPS: Final = 50_000
REGIONS: Final = 12
SESSIONS: Final = 20
BATCH: Final = 2_000

# Ohio's 88 counties (FIPS 39001-39175, odd numbers): a real state's shape for the map.
COUNTIES: Final = [f"39{number:03d}" for number in range(1, 176, 2)]
NAICS_TARGETS: Final = [
    "311",
    "3254",
    "332",
    "333",
    "3361",
    "3364",
    "484",
    "493",
    "5112",
    "5415",
    "621",
    "622",
]
CONVENER_TYPES: Final = ["workforce_board", "community", "chamber", "college", "labor"]
OTHER_TYPES: Final = ["education_training", "economic_development", "government", "other"]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorwise.web.settings")
    import django

    django.setup()


def seed(*, sizes: tuple[int, int, int] = (PARTNERSHIPS, ORGANIZATIONS, MEMBERSHIPS)) -> dict[str, Any]:
    """Migrate and fill the database; returns the paths the load test visits and session cookies."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from sectorwise.accounts.models import User
    from sectorwise.core.roles import Role
    from sectorwise.directory.models import Organization, SizeBand
    from sectorwise.partnerships.models import (
        Membership,
        MembershipRole,
        Region,
        RegionCounty,
        SectorPartnership,
        Stage,
        TargetIndustry,
    )

    partnerships, organizations, memberships = sizes
    rng = random.Random(2026)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)

    regions = Region.objects.bulk_create(
        Region(name=f"Benchmark region {number + 1}", description="Seeded by the web load benchmark.")
        for number in range(REGIONS)
    )
    RegionCounty.objects.bulk_create(
        RegionCounty(region=regions[index % REGIONS], county_fips=fips) for index, fips in enumerate(COUNTIES)
    )

    # One convener organisation per ten partnerships; the rest mostly employers, as in a real registry.
    convener_count = max(1, partnerships // 10)
    organization_rows = []
    for number in range(organizations):
        if number < convener_count:
            kind = CONVENER_TYPES[number % len(CONVENER_TYPES)]
        else:
            kind = "employer" if rng.random() < 0.7 else rng.choice(OTHER_TYPES)
        employer = kind == "employer"
        organization_rows.append(
            Organization(
                name=f"Organization {number + 1:05d}",
                type=kind,
                city="Columbus",
                state="OH",
                county_fips=rng.choice(COUNTIES),
                naics_code=rng.choice(NAICS_TARGETS) if employer else "",
                size_band=rng.choice(SizeBand.values) if employer else "",
                email=f"contact{number + 1}@example.org",
            )
        )
    saved_organizations = Organization.objects.bulk_create(organization_rows, batch_size=BATCH)
    conveners = saved_organizations[:convener_count]
    others = saved_organizations[convener_count:]

    stages = list(Stage.values)
    saved_partnerships = SectorPartnership.objects.bulk_create(
        (
            SectorPartnership(
                name=f"Partnership {number + 1:04d}",
                region=regions[number % REGIONS],
                convener=conveners[number % convener_count],
                stage=stages[number % len(stages)],
                goals="Close the region's skills gap in the target industry.",
            )
            for number in range(partnerships)
        ),
        batch_size=BATCH,
    )
    TargetIndustry.objects.bulk_create(
        (
            TargetIndustry(partnership=partnership, naics_code=code)
            for partnership in saved_partnerships
            for code in rng.sample(NAICS_TARGETS, 2)
        ),
        batch_size=BATCH,
    )

    per_partnership = memberships // max(1, partnerships)
    other_roles = [role for role in MembershipRole.values if role != MembershipRole.CONVENER]
    membership_rows = []
    for partnership in saved_partnerships:
        membership_rows.append(
            Membership(
                partnership=partnership, organization=partnership.convener, role=MembershipRole.CONVENER
            )
        )
        for organization in rng.sample(others, per_partnership - 1):
            role = (
                rng.choice([MembershipRole.EMPLOYER_MEMBER, MembershipRole.EMPLOYER_CHAMPION])
                if organization.type == "employer"
                else rng.choice(other_roles)
            )
            membership_rows.append(Membership(partnership=partnership, organization=organization, role=role))
    Membership.objects.bulk_create(membership_rows, batch_size=BATCH)

    user = User.objects.create(username="bench-staff", role=Role.STATE_STAFF)
    cookies = []
    for _ in range(SESSIONS):
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)

    sample = saved_partnerships[len(saved_partnerships) // 2]
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "counts": {
            "partnerships": SectorPartnership.objects.count(),
            "organizations": Organization.objects.count(),
            "memberships": Membership.objects.count(),
        },
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": cookies,
        "pages": {
            "dashboard": reverse("partnerships:dashboard"),
            "list": reverse("partnerships:partnership_list"),
            "list (filtered)": reverse("partnerships:partnership_list")
            + f"?stage={Stage.PLANNING}&q=Partnership+01",
            "detail": [
                reverse("partnerships:partnership_detail", args=[p.pk]) for p in saved_partnerships[::10]
            ],
            "organization": [
                reverse("partnerships:organization_detail", args=[o.pk]) for o in saved_organizations[::200]
            ],
            "api list": "/api/partnerships",
            "api detail": [f"/api/partnerships/{p.pk}" for p in saved_partnerships[::10]],
        },
        "sample_partnership": sample.pk,
    }


def main() -> None:
    _setup_django()
    # Optional smaller sizes for a quick check: PARTNERSHIPS ORGANIZATIONS MEMBERSHIPS.
    if len(sys.argv) == 4:
        partnerships, organizations, memberships = (int(argument) for argument in sys.argv[1:4])
        result = seed(sizes=(partnerships, organizations, memberships))
    else:
        result = seed()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
