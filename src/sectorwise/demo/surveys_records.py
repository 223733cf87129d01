"""The surveys app's demo records: employer surveys of a few partnerships, with invitations and responses.

Three partnerships (the demo convener's first, then the furthest along) are topped up to 24-28 employer
members, each with a contact, so that their results are shown: a closed survey of last year (about three in
four answered) and an open one of this year (about half answered so far). One more partnership keeps its
few employers: its open survey has fewer than 10 responses, so its figures show "too few to show". Answers
are drawn so that about 85 % of employers are satisfied with the value of collaborating and about 80 % see
higher productivity (Pennsylvania's industry partnerships reported 88 % and 84 %). Responses go through
``services.response_submit`` (the one-use claim and the checks apply); no e-mail is sent (invitations are
written directly, with random token hashes). Seeded only while the app holds no records, in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Final

from django.db import transaction
from django.utils import timezone

from sectorwise.accounts.models import User
from sectorwise.core.roles import Role
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Organization, OrganizationType, SizeBand
from sectorwise.partnerships import services as partnership_services
from sectorwise.partnerships.models import (
    EMPLOYER_ROLES,
    Membership,
    MembershipRole,
    SectorPartnership,
    Stage,
)
from sectorwise.surveys import services
from sectorwise.surveys.instrument import Change, Productivity, Quality, Skill
from sectorwise.surveys.models import Invitation, Survey, SurveyStatus
from sectorwise.surveys.selectors import employer_contacts

EMPLOYERS_TARGET: Final = (24, 28)
OCCUPATIONS: Final[dict[str, tuple[str, ...]]] = {
    # By the first two digits of a target NAICS code: the occupations employers name first come first.
    "33": ("51-4041", "51-4121", "51-4011", "49-9041", "51-9061", "51-2092", "17-2112", "51-1011"),
    "32": ("51-4041", "51-4121", "51-4011", "49-9041", "51-9061", "51-2092", "17-2112", "51-1011"),
    "31": ("51-3022", "51-9111", "49-9041", "51-3011", "51-1011", "53-7062"),
    "62": ("29-1141", "31-1131", "29-2061", "31-9092", "29-2034", "29-2052", "29-1171", "43-4171"),
    "51": ("15-1252", "15-1232", "15-1212", "15-1211", "15-1244"),
    "54": ("15-1252", "15-1232", "15-1212", "15-1211", "15-1244"),
    "48": ("53-3032", "53-7051", "53-7062", "49-3031", "43-5071"),
    "49": ("53-3032", "53-7051", "53-7062", "49-3031", "43-5071"),
    "21": ("47-2111", "49-9051", "51-8013", "17-2071"),
    "22": ("47-2111", "49-9051", "51-8013", "17-2071"),
    "72": ("35-2014", "35-1012", "37-2012", "43-4081"),
    "23": ("47-2111", "47-2031", "47-2152", "47-2061", "49-9021"),
}
DEFAULT_OCCUPATIONS: Final = ("51-1011", "53-7062", "43-4171", "11-1021")
SKILLS: Final = (
    (Skill.TECHNICAL, 0.6),
    (Skill.RELIABILITY, 0.45),
    (Skill.PROBLEM_SOLVING, 0.35),
    (Skill.MATH, 0.3),
    (Skill.DIGITAL, 0.3),
    (Skill.COMMUNICATION, 0.25),
    (Skill.SAFETY, 0.15),
    (Skill.SUPERVISION, 0.15),
    (Skill.TEAMWORK, 0.1),
    (Skill.READING, 0.1),
)
FIRST: Final = ("Ana", "Ben", "Chloe", "Dev", "Erin", "Femi", "Gus", "Hiro", "Iris", "Jon", "Kara", "Leo")
LAST: Final = ("Abbott", "Baker", "Cruz", "Dunn", "Ellis", "Flores", "Grant", "Hale", "Irwin", "Kerr", "Lowe")
WORDS: Final = ("Works", "Industries", "Systems", "Partners", "Services", "Enterprises")


def _occupations_for(partnership: SectorPartnership) -> tuple[str, ...]:
    for code in partnership.target_industries.values_list("naics_code", flat=True):
        if code[:2] in OCCUPATIONS:
            return OCCUPATIONS[code[:2]]
    return DEFAULT_OCCUPATIONS


def _choose(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def _answers(rng: random.Random, occupations: tuple[str, ...]) -> services.Answers:
    named = rng.randint(1, 3)
    weights = [1 / (rank + 1) for rank in range(len(occupations))]
    hard: list[str] = []
    while len(hard) < min(named, len(occupations)):
        code = rng.choices(occupations, weights=weights)[0]
        if code not in hard:
            hard.append(code)
    skills = [skill.value for skill, chance in SKILLS if rng.random() < chance] or [Skill.TECHNICAL.value]
    satisfied = rng.random() < 0.85
    standard = {
        "turnover": _choose(
            rng,
            ((Change.DECREASED, 0.45), (Change.SAME, 0.4), (Change.INCREASED, 0.08), (Change.UNKNOWN, 0.07)),
        ),
        "rework": _choose(rng, ((Change.DECREASED, 0.4), (Change.SAME, 0.45), (Change.UNKNOWN, 0.15))),
        "complaints": _choose(
            rng,
            ((Change.DECREASED, 0.35), (Change.SAME, 0.5), (Change.INCREASED, 0.05), (Change.UNKNOWN, 0.1)),
        ),
        "quality_of_hires": _choose(
            rng, ((Quality.BETTER, 0.6), (Quality.SAME, 0.32), (Quality.WORSE, 0.03), (Quality.UNKNOWN, 0.05))
        ),
        "productivity": Productivity.HIGHER
        if rng.random() < 0.8
        else rng.choice((Productivity.SAME, Productivity.SAME, Productivity.LOWER)),
        "collaboration_value": rng.choice((4, 5)) if satisfied else rng.choice((2, 3, 3)),
        "time_to_fill_days": max(7, round(rng.gauss(48, 18))),
        "planned_hires": max(0, round(rng.lognormvariate(1.6, 0.8))),
        "other_skill_gaps": "",
    }
    return services.Answers(standard=standard, hard_to_fill=hard, skill_gaps=skills, custom={})


def _top_up(partnership: SectorPartnership, rng: random.Random, target: int) -> None:
    """Adds employer members, each with one contact, until the partnership has ``target`` of them."""
    have = Membership.objects.filter(partnership=partnership, role__in=EMPLOYER_ROLES).count()
    county = partnership.region.counties.values_list("county_fips", flat=True).first() or ""
    naics = partnership.target_industries.values_list("naics_code", flat=True).first() or ""
    for number in range(have, target):
        employer = Organization.objects.create(
            name=f"{rng.choice(LAST)} {rng.choice(WORDS)} {number + 1} ({partnership.pk})",
            type=OrganizationType.EMPLOYER,
            county_fips=county,
            state="DS",
            naics_code=(naics + str(rng.randint(1, 9)))[:6] if naics else "",
            size_band=rng.choice(list(SizeBand)[1:]),
        )
        given, surname = rng.choice(FIRST), rng.choice(LAST)
        person = directory_services.person_create(
            first_name=given,
            last_name=surname,
            email=f"{given.lower()}.{surname.lower()}@{employer.pk}.example",
            organizations=[(employer, "Human resources manager")],
        )
        partnership_services.membership_add(
            partnership=partnership,
            organization=employer,
            role=MembershipRole.EMPLOYER_MEMBER,
            representative=person,
            joined_on=partnership.stage_reached_on(Stage.EXPLORING),
        )


def _survey(
    *,
    partnership: SectorPartnership,
    title: str,
    period: str,
    opens_on: dt.date,
    closes_on: dt.date,
    answer_share: float,
    close: bool,
    rng: random.Random,
    user: User | None,
) -> tuple[int, int]:
    survey = Survey.objects.create(
        partnership=partnership,
        title=title,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        status=SurveyStatus.OPEN,
        created_by=user,
        introduction="Ten minutes: how the partnership works for your business, and who you need to hire.",
    )
    occupations = _occupations_for(partnership)
    sent_at = timezone.make_aware(dt.datetime.combine(opens_on, dt.time(9)))
    invitations = [
        Invitation.objects.create(
            survey=survey,
            person=contact.person,
            organization=contact.organization,
            email=contact.person.email,
            token_hash=services.token_hash(secrets.token_urlsafe(services.TOKEN_BYTES)),
            sent_at=sent_at,
            expires_at=services.link_expiry(closes_on),
        )
        for contact in employer_contacts(partnership=partnership)
        if contact.person.email
    ]
    answered = 0
    window = max(1, (closes_on - opens_on).days)
    for invitation in invitations:
        if rng.random() >= answer_share:
            continue
        submitted = sent_at + dt.timedelta(days=rng.randint(0, window - 1), hours=rng.randint(0, 8))
        services.response_submit(invitation=invitation, answers=_answers(rng, occupations), now=submitted)
        answered += 1
    if close:
        services.survey_close(survey=survey)
    return len(invitations), answered


@transaction.atomic
def seed_surveys(*, rng: random.Random, today: dt.date) -> str:
    if Survey.objects.exists():
        return "surveys: already held records, left as they were"
    convener = User.objects.filter(role=Role.CONVENER, organization__isnull=False).order_by("pk").first()
    staff = User.objects.filter(role=Role.STATE_STAFF).order_by("pk").first()
    later_stages = (Stage.IMPLEMENTATION, Stage.SUSTAINING, Stage.PLANNING)
    candidates = list(
        SectorPartnership.objects.filter(stage__in=later_stages)
        .select_related("region")
        .order_by("-stage", "pk")
    )
    if convener is not None:
        own = [p for p in candidates if p.convener_id == convener.organization_id]
        candidates = own[:1] + [p for p in candidates if p not in own[:1]]
    if len(candidates) < 4:
        return "surveys: too few partnerships past exploring for the demo surveys"
    surveyed, small = candidates[:3], candidates[3]
    lines = []
    for partnership in surveyed:
        _top_up(partnership, rng, rng.randint(*EMPLOYERS_TARGET))
        last_year = _survey(
            partnership=partnership,
            title=f"Employer survey {today.year - 1}",
            period=str(today.year - 1),
            opens_on=dt.date(today.year - 1, 9, 15),
            closes_on=dt.date(today.year - 1, 10, 31),
            answer_share=0.78,
            close=True,
            rng=rng,
            user=staff,
        )
        this_year = _survey(
            partnership=partnership,
            title=f"Employer survey {today.year}",
            period=str(today.year),
            opens_on=today - dt.timedelta(days=21),
            closes_on=today + dt.timedelta(days=30),
            answer_share=0.55,
            close=False,
            rng=rng,
            user=staff,
        )
        lines.append(f"{partnership.name} {last_year[1]}/{last_year[0]} and {this_year[1]}/{this_year[0]}")
    few = _survey(
        partnership=small,
        title=f"Employer pulse survey {today.year}",
        period=str(today.year),
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        answer_share=0.8,
        close=False,
        rng=rng,
        user=staff,
    )
    lines.append(f"{small.name} {few[1]}/{few[0]} (too few to show)")
    return f"surveys: {Survey.objects.count()} surveys, responses/invited: " + "; ".join(lines)
