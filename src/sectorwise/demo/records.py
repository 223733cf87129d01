"""The registry half of the demo: organisations, people, regions, partnerships and one user per role.

Regions are the commuting zones that ``sectorwise.lmi.delineation`` draws from the synthetic state's
commuting flows (written by ``prepare_demo_lmi``). Fallback, when the flows file is missing or cannot be
delineated: one region per metro or hub county with the non-hub counties nearest to it on the demo map.

Seeding happens only into an empty registry, and demo users are created only when absent: re-running
``sectorwise demo`` keeps whatever the user changed. Everything is deterministic (a fixed seed).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.db import transaction
from django.db.models import Count
from django.utils.module_loading import import_string

from sectorwise.accounts.models import User
from sectorwise.accounts.services import user_create
from sectorwise.core.roles import Role
from sectorwise.demo.geography import County, SyntheticState, demo_state
from sectorwise.demo.synthetic import DEMO_SEED, FLOWS_FILE
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Organization, OrganizationType, SizeBand
from sectorwise.partnerships import services
from sectorwise.partnerships.models import (
    Membership,
    MembershipRole,
    Region,
    RegionSource,
    SectorPartnership,
    Stage,
)

DEMO_PASSWORD: Final = "demo"
STREETS: Final = ("Main", "Market", "River", "College", "Mill")
REGION_SET_NAME: Final = "Demo State commuting zones (synthetic)"
PARTNERSHIPS_PER_STAGE: Final = 6
SOURCE_FOLDER: Final = "demo-source"


@dataclass(frozen=True)
class Theme:
    """An industry a partnership can form around: its name and target NAICS codes (three-digit, which the
    synthetic QCEW discloses more often than finer codes)."""

    name: str
    naics: tuple[str, ...]
    employer_words: tuple[str, ...]


THEMES: Final[dict[str, Theme]] = {
    "manufacturing": Theme(
        "Advanced Manufacturing",
        ("332", "333", "336"),
        ("Precision", "Machining", "Fabrication", "Components", "Aerospace"),
    ),
    "health": Theme(
        "Health Care",
        ("621", "622", "623"),
        ("Health", "Medical Center", "Clinic", "Care Homes", "Family Practice"),
    ),
    "it": Theme(
        "Information Technology",
        ("518", "541"),
        ("Software", "Data Systems", "Cloud Services", "Analytics", "Digital"),
    ),
    "logistics": Theme(
        "Transportation and Logistics",
        ("484", "493"),
        ("Freight", "Trucking", "Distribution", "Warehousing", "Logistics"),
    ),
    "energy": Theme("Energy", ("211", "221"), ("Power", "Energy", "Utilities", "Wind", "Gas")),
    "hospitality": Theme(
        "Hospitality and Tourism", ("721", "722"), ("Lodge", "Resorts", "Hospitality", "Inn", "Restaurants")
    ),
    "food": Theme("Food Processing", ("311",), ("Foods", "Dairy", "Bakery", "Meats", "Farms Processing")),
    "construction": Theme(
        "Construction Trades",
        ("236", "238"),
        ("Builders", "Construction", "Contractors", "Electric", "Mechanical"),
    ),
}

PROFILE_THEMES: Final[dict[str, tuple[str, ...]]] = {
    "metro core": ("it", "health", "construction", "manufacturing"),
    "health hub": ("health", "it"),
    "manufacturing": ("manufacturing", "logistics"),
    "logistics": ("logistics", "manufacturing"),
    "energy": ("energy", "construction"),
    "tourism": ("hospitality",),
    "agriculture": ("food",),
    "university": ("it", "health"),
    "rural services": ("health", "construction"),
    "suburb": ("construction",),
}

SURNAMES: Final = (
    "Alvarez",
    "Brooks",
    "Chen",
    "Dawson",
    "Edwards",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Morgan",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinn",
    "Reyes",
    "Sato",
    "Turner",
    "Usman",
    "Vargas",
    "Walsh",
    "Young",
    "Zimmer",
)
GIVEN_NAMES: Final = (
    "Alex",
    "Bea",
    "Carlos",
    "Dana",
    "Eli",
    "Fatima",
    "Grace",
    "Hana",
    "Ivan",
    "Jordan",
    "Kim",
    "Luis",
    "Maya",
    "Noah",
    "Omar",
    "Priya",
    "Rosa",
    "Sam",
    "Tara",
    "Vic",
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    organization: str


@dataclass(frozen=True)
class DemoRecords:
    seeded: bool
    """False when the registry already held records (nothing was changed)."""
    regions: int
    organizations: int
    partnerships: int
    memberships: int
    region_source: str
    users: tuple[DemoUser, ...]
    app_lines: tuple[str, ...] = ()
    """One line per domain app's seeder (APP_SEEDERS), for the console."""


@dataclass(frozen=True)
class _Zone:
    name: str
    region_id: str
    counties: tuple[str, ...]


def demo_zones(*, data_dir: Path, state: SyntheticState) -> tuple[list[_Zone], str]:
    """Commuting zones of the demo state, and a sentence saying how they were drawn."""
    flows_path = data_dir / SOURCE_FOLDER / FLOWS_FILE
    names = {county.fips: county.name.removesuffix(" County") for county in state.counties}
    try:
        from sectorwise.lmi.delineation import delineate
        from sectorwise.lmi.sources.commuting import read_acs_flows

        delineation = delineate(read_acs_flows(flows_path))
    except (ImportError, OSError, ValueError) as error:
        return _fallback_zones(state), f"nearest-hub fallback ({error})"
    members: dict[str, list[str]] = defaultdict(list)
    cores: dict[str, str] = {}
    for county, region_id, core in zip(
        delineation.counties, delineation.region_ids, delineation.core_counties, strict=True
    ):
        members[region_id].append(county)
        cores[region_id] = core
    zones = [
        _Zone(
            name=f"{names.get(cores[rid], cores[rid])} commuting zone",
            region_id=rid,
            counties=tuple(sorted(c)),
        )
        for rid, c in members.items()
    ]
    return sorted(zones, key=lambda zone: (-len(zone.counties), zone.name)), (
        f"commuting zones delineated from {flows_path.name} (Tolbert-Sizer, cutoff {delineation.cutoff})"
    )


def _fallback_zones(state: SyntheticState) -> list[_Zone]:
    """One zone per hub county (metro core, health hub, university, manufacturing centre over 40,000 jobs),
    with every other county joining the nearest hub on the demo map."""
    hubs = [county for county in state.counties if county.employment >= 40_000]
    groups: dict[str, list[County]] = {hub.fips: [hub] for hub in hubs}
    for county in state.counties:
        if county.fips in groups:
            continue
        nearest = min(hubs, key=lambda hub: math.dist((hub.x_km, hub.y_km), (county.x_km, county.y_km)))
        groups[nearest.fips].append(county)
    return [
        _Zone(
            name=f"{members[0].name.removesuffix(' County')} region",
            region_id=fips,
            counties=tuple(sorted(c.fips for c in members)),
        )
        for fips, members in groups.items()
    ]


APP_SEEDERS: Final[tuple[str, ...]] = (
    "sectorwise.demo.planning_records.seed_planning",
    "sectorwise.demo.surveys_records.seed_surveys",
    "sectorwise.demo.grants_records.seed_grants",
    "sectorwise.demo.outcomes_records.seed_outcomes",
    "sectorwise.demo.capacity_records.seed_capacity",
    "sectorwise.demo.reports_records.seed_reports",
)
"""Each domain app's demo records, seeded after the registry and the users in this order (an app's records
may refer to those of the apps before it): dotted paths to functions ``(*, rng: random.Random, today:
dt.date) -> str`` in ``sectorwise.demo.<app>_records`` that seed only while their app holds no records, each
in one transaction, and return one line for the console."""

DEMO_TODAY: Final = dt.date(2025, 6, 30)
"""The demo's "today": its records' dates lie around it, so that the demo looks the same on any day."""


def load_demo_records(*, data_dir: Path, seed: int = DEMO_SEED) -> DemoRecords:
    """Seed the registry (only when it is empty), create the demo users (only those absent), then each app's
    demo records (APP_SEEDERS; each only while its app is empty)."""
    state = demo_state(seed)
    seeded = False
    zone_note = "registry already held records: left as it was"
    if not Organization.objects.exists():
        zone_note = _seed_registry(data_dir=data_dir, state=state, rng=random.Random(seed))
        seeded = True
    users = _ensure_demo_users()
    app_lines = tuple(
        import_string(seeder)(rng=random.Random(f"{seed}:{seeder}"), today=DEMO_TODAY)
        for seeder in APP_SEEDERS
    )
    return DemoRecords(
        seeded=seeded,
        regions=Region.objects.count(),
        organizations=Organization.objects.count(),
        partnerships=SectorPartnership.objects.count(),
        memberships=Membership.objects.count(),
        region_source=zone_note,
        users=users,
        app_lines=app_lines,
    )


@transaction.atomic
def _seed_registry(*, data_dir: Path, state: SyntheticState, rng: random.Random) -> str:
    zones, note = demo_zones(data_dir=data_dir, state=state)
    counties = {county.fips: county for county in state.counties}
    stages = [stage for stage in Stage for _ in range(PARTNERSHIPS_PER_STAGE)]
    rng.shuffle(stages)
    plans = _partnership_plans(zones, counties, total=len(stages))
    today = DEMO_TODAY
    for (zone, theme_key), stage in zip(plans, stages, strict=True):
        region = _region_for(zone, note)
        _partnership_for(
            region=region,
            zone=zone,
            theme=THEMES[theme_key],
            stage=stage,
            rng=rng,
            today=today,
            counties=counties,
        )
    return note


def _partnership_plans(
    zones: Sequence[_Zone], counties: dict[str, County], *, total: int
) -> list[tuple[_Zone, str]]:
    """(zone, theme) pairs, round-robin over zones, each zone's themes from its counties' profiles."""
    themes_by_zone: list[tuple[_Zone, list[str]]] = []
    for zone in zones:
        ordered = sorted(zone.counties, key=lambda fips: -counties[fips].employment)
        themes: list[str] = []
        for fips in ordered:
            for theme in PROFILE_THEMES.get(counties[fips].profile, ()):
                if theme not in themes:
                    themes.append(theme)
        themes_by_zone.append((zone, themes or ["construction"]))
    plans: list[tuple[_Zone, str]] = []
    round_ = 0
    while len(plans) < total:
        added = False
        for zone, themes in themes_by_zone:
            if round_ < len(themes) and len(plans) < total:
                plans.append((zone, themes[round_]))
                added = True
        if not added:  # every zone's themes used: start over with a second partnership per theme
            themes_by_zone = [(zone, themes * 2) for zone, themes in themes_by_zone]
        round_ += 1
    return plans


def _region_for(zone: _Zone, note: str) -> Region:
    existing = Region.objects.filter(name=zone.name).first()
    if existing is not None:
        return existing
    source = RegionSource.DELINEATION if note.startswith("commuting zones") else RegionSource.HAND
    return services.region_create(
        name=zone.name,
        county_fips=zone.counties,
        source=source,
        source_detail=f"{REGION_SET_NAME}: {zone.region_id}",
        description=f"{len(zone.counties)} counties of the synthetic Demo State; {note}.",
    )


def _org(
    name: str, type_: OrganizationType, county: County, rng: random.Random, **fields: object
) -> Organization:
    existing = Organization.objects.filter(name=name).first()
    if existing is not None:
        return existing
    town = county.name.removesuffix(" County")
    organization = directory_services.organization_create(
        name=name,
        type=type_,
        county_fips=county.fips,
        city=f"{town}ville" if rng.random() < 0.5 else f"{town} City",
        state="DS",
        street_address=f"{rng.randint(10, 999)} {rng.choice(STREETS)} St",
        postal_code=f"9{rng.randint(1000, 9999)}",
        website=f"https://{name.lower().replace(' ', '-').replace('.', '').replace(',', '')[:40]}.example",
        **fields,
    )
    given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
    directory_services.person_create(
        first_name=given,
        last_name=surname,
        email=f"{given.lower()}.{surname.lower()}@{organization.pk}.example",
        phone=f"555-01{rng.randint(10, 99)}",
        organizations=[(organization, rng.choice(("Director", "Manager", "Coordinator", "President")))],
    )
    return organization


def _partnership_for(
    *,
    region: Region,
    zone: _Zone,
    theme: Theme,
    stage: Stage,
    rng: random.Random,
    today: dt.date,
    counties: dict[str, County],
) -> SectorPartnership:
    hub = counties[max(zone.counties, key=lambda fips: counties[fips].employment)]
    place = zone.name.removesuffix(" commuting zone").removesuffix(" region")
    board = _org(f"{place} Workforce Development Board", OrganizationType.WORKFORCE_BOARD, hub, rng)
    college = _org(f"{place} Community College", OrganizationType.COLLEGE, hub, rng)
    stage_index = list(Stage).index(stage)
    started = today - dt.timedelta(days=rng.randint(120, 300) + 365 * stage_index)
    partnership = services.partnership_create(
        name=f"{place} {theme.name} Partnership",
        region=region,
        convener=board,
        target_naics=theme.naics,
        stage=Stage.EXPLORING,
        stage_since=started,
        goals=f"Close the {theme.name.lower()} skills gap in the {place} area: shared curriculum, "
        "work-based learning and career pathways that employers design and lead.",
        description=f"Employers of {theme.name.lower()} in {zone.name}, with their training partners.",
    )
    for later in list(Stage)[1 : stage_index + 1]:
        started += dt.timedelta(days=rng.randint(200, 420))
        services.partnership_update(partnership=partnership, stage=later, stage_since=min(started, today))
    services.membership_add(
        partnership=partnership, organization=college, role=MembershipRole.EDUCATION_PARTNER
    )
    employer_count = rng.randint(3, 9)
    for number in range(employer_count):
        county = counties[rng.choice(zone.counties)]
        word = theme.employer_words[number % len(theme.employer_words)]
        employer = _org(
            f"{rng.choice(SURNAMES)} {word} {rng.choice(('Inc.', 'LLC', 'Co.', 'Group'))}",
            OrganizationType.EMPLOYER,
            county,
            rng,
            naics_code=rng.choice(theme.naics) + str(rng.randint(1, 9)),
            size_band=rng.choice(list(SizeBand)[2:]),
        )
        if Membership.objects.filter(partnership=partnership, organization=employer).exists():
            continue
        # Most partnerships have an employer co-chair; a few have not found one yet (health shows it).
        role = (
            MembershipRole.EMPLOYER_CHAMPION
            if number == 0 and rng.random() < 0.8
            else MembershipRole.EMPLOYER_MEMBER
        )
        services.membership_add(
            partnership=partnership,
            organization=employer,
            role=role,
            representative=employer.people.first(),
            joined_on=partnership.exploring_since,
        )
    for role, type_, label, chance in (
        (
            MembershipRole.LABOR_PARTNER,
            OrganizationType.LABOR,
            f"{place} Building and Service Workers Local",
            0.5,
        ),
        (
            MembershipRole.COMMUNITY_PARTNER,
            OrganizationType.COMMUNITY,
            f"{place} Community Action Agency",
            0.6,
        ),
        (
            MembershipRole.PUBLIC_PARTNER,
            OrganizationType.ECONOMIC_DEVELOPMENT,
            f"{place} Economic Development Corporation",
            0.5,
        ),
        (MembershipRole.OTHER, OrganizationType.CHAMBER, f"{place} Chamber of Commerce", 0.3),
    ):
        if rng.random() < chance:
            organization = _org(label, type_, hub, rng)
            services.membership_add(partnership=partnership, organization=organization, role=role)
    return partnership


DEMO_USERS: Final = (
    ("admin", Role.STATE_ADMIN),
    ("staff", Role.STATE_STAFF),
    ("convener", Role.CONVENER),
    ("reviewer", Role.REVIEWER),
    ("viewer", Role.VIEWER),
)


def _ensure_demo_users() -> tuple[DemoUser, ...]:
    """One user per role, password ``demo``; the convener acts for the board convening most partnerships."""
    board = (
        Organization.objects.annotate(convened=Count("convened_partnerships"))
        .filter(convened__gt=0)
        .order_by("-convened", "name")
        .first()
    )
    users = []
    for username, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                organization=board if role is Role.CONVENER else None,
                email=f"{username}@demo.example",
            )
            if role is Role.STATE_ADMIN:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
        users.append(
            DemoUser(
                username=user.username,
                role=Role(user.role) if user.role else role,
                organization=str(user.organization) if user.organization else "",
            )
        )
    return tuple(users)
