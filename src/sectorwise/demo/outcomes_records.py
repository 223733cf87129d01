"""The outcomes app's demo records: synthetic participants of six partnerships (one of them small, so that
its figures are "too few to show"), their baseline and follow-up observations, quarterly progress reports
with custom indicators, systems changes and testimonials, and UI wage records when the wage-record model is
there. Seeded only while the app holds no records, in one transaction; deterministic (the seeder's rng).

The effects follow the issue's evidence: poverty falls from about 64 % to 35 %, employer health insurance
rises from about 49 % to 73 %, paid sick leave from 35 % to 58 %, and quarterly earnings of the people
employed both times rise by about $500 a quarter (about $4,000 over two years). Participant identifiers are
synthetic SSN-shaped numbers, hashed through ``outcomes.pii`` (the demo key) as soon as they are drawn: the
numbers themselves are stored nowhere.

Poverty status: the synthetic demo state has no FIPS code HHS knows, so the services would leave it unknown;
the demo derives it from the contiguous states' guidelines (where the demo state lies) instead.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.apps import apps
from django.db import transaction

from sectorwise.accounts.models import User
from sectorwise.core.tabular.engine import insert_with_history
from sectorwise.evaluation.identifiers import RawIdentifier
from sectorwise.evaluation.poverty import YEARS as POVERTY_YEARS
from sectorwise.evaluation.poverty import Region, poverty_guideline
from sectorwise.outcomes import services
from sectorwise.outcomes.models import (
    CustomIndicator,
    OutcomeObservation,
    Participant,
    ProgressReport,
    RaceEthnicity,
    ReportStatus,
    Sex,
    SystemsChange,
    SystemsChangeKind,
    Testimonial,
    Timing,
)
from sectorwise.outcomes.pii import person_key_of
from sectorwise.outcomes.services import partnership_state_fips, poverty_status
from sectorwise.partnerships.models import SectorPartnership, Stage

COHORT_SIZES: Final = (80, 70, 55, 45, 35, 6)
"""Participants per demo partnership; the last is small on purpose (every figure suppressed)."""

RACES: Final = (
    (RaceEthnicity.WHITE, 0.52),
    (RaceEthnicity.BLACK, 0.20),
    (RaceEthnicity.HISPANIC, 0.17),
    (RaceEthnicity.ASIAN, 0.05),
    (RaceEthnicity.AMERICAN_INDIAN, 0.02),
    (RaceEthnicity.MULTIPLE, 0.04),
)

BARRIERS: Final = ("Justice-involved", "No driver's license", "Long-term unemployed")

INDICATORS: Final = (
    ("Apprentices hired", "apprentices", 60),
    ("Employers adopting skills-based hiring", "employers", 12),
    ("Incumbent workers upskilled", "workers", 150),
)

CHANGES: Final = (
    (
        SystemsChangeKind.EDUCATION_PROGRAM,
        "The community college opened a 16-week certificate designed with the employer members.",
        "College catalog entry and the curriculum sign-off by the employer members.",
    ),
    (
        SystemsChangeKind.HR_PRACTICE,
        "Three employer members dropped the four-year degree requirement for technician jobs.",
        "Revised job postings from each employer.",
    ),
    (
        SystemsChangeKind.CREDENTIAL,
        "A shared industry credential is now recognised by every employer member in hiring.",
        "Signed memorandum of understanding.",
    ),
    (
        SystemsChangeKind.FUNDING,
        "Employer members pooled dues to pay for a shared apprenticeship coordinator.",
        "Board minutes approving the dues.",
    ),
    (
        SystemsChangeKind.POLICY,
        "The local board added the partnership's occupations to its in-demand training list.",
        "",
    ),
)

QUOTES: Final = (
    ("I went from part-time retail to a full-time job with health insurance.", "Dana R., graduate"),
    ("For the first time I have paid sick days. I don't lose pay when my kid is sick.", "Luis M., graduate"),
    ("We cut first-year turnover in half for the people hired through the program.", "HR director, member"),
    ("The college finally teaches what we actually use on the floor.", "Plant manager, member"),
    ("I earn about four dollars an hour more than before, and I got a credential.", "Keisha T., graduate"),
    ("The mentoring kept me going when I wanted to quit.", "A participant"),
)


@dataclass
class _Person:
    participant: Participant
    employed_before: bool
    employed_after: bool
    earnings_before: Decimal | None
    earnings_after: Decimal | None
    employer: str


def seed_outcomes(*, rng: random.Random, today: dt.date) -> str:
    if (
        Participant.objects.exists()
        or ProgressReport.objects.exists()
        or SystemsChange.objects.exists()
        or Testimonial.objects.exists()
        or CustomIndicator.objects.exists()
    ):
        return "outcomes: already held records; left as they were"
    staff = User.objects.filter(username="staff").first()
    convener = User.objects.filter(username="convener").first()
    with transaction.atomic():
        partnerships = _partnerships(convener)
        people: list[_Person] = []
        observations = reports = changes = quotes = wages = 0
        ssns: set[str] = set()
        for partnership, size in zip(partnerships, COHORT_SIZES, strict=False):
            cohort, written = _seed_participants(partnership, size, rng=rng, today=today, ssns=ssns)
            people += cohort
            observations += written
            reports += _seed_reports(partnership, cohort, rng=rng, today=today, convener=convener)
            changes += _seed_changes(partnership, rng=rng, today=today, staff=staff)
            quotes += _seed_testimonials(partnership, rng=rng, today=today)
        wages = _seed_wages(people, rng=rng, today=today)
    wage_note = f", {wages} wage records" if wages >= 0 else ", no wage records (no WageRecord model)"
    return (
        f"outcomes: {len(people)} participants in {len(partnerships)} partnerships, {observations} "
        f"observations, {reports} progress reports, {changes} systems changes, {quotes} testimonials"
        f"{wage_note}"
    )


def _partnerships(convener: User | None) -> list[SectorPartnership]:
    """Partnerships past planning, the demo convener's first (so that its pages show data)."""
    found = list(
        SectorPartnership.objects.filter(stage__in=[Stage.IMPLEMENTATION, Stage.SUSTAINING]).order_by("id")
    )
    if len(found) < len(COHORT_SIZES):
        found += list(
            SectorPartnership.objects.exclude(pk__in=[p.pk for p in found]).order_by("id")[
                : len(COHORT_SIZES) - len(found)
            ]
        )
    organization = convener.organization_id if convener is not None else None
    found.sort(key=lambda p: (p.convener_id != organization, p.pk))
    return found[: len(COHORT_SIZES)]


def _ssn(rng: random.Random, taken: set[str]) -> str:
    while True:
        area = rng.randint(100, 665)
        text = f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        if text not in taken:
            taken.add(text)
            return text


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _poverty(income: Decimal, size: int, day: dt.date, state: str | None) -> bool:
    found = poverty_status(income=income, household_size=size, observed_on=day, state_fips=state)
    if found is not None:
        return found
    year = min(max(day.year, POVERTY_YEARS[0]), POVERTY_YEARS[-1])
    return income < poverty_guideline(year, size, Region.CONTIGUOUS)


def _household(rng: random.Random, poor: bool, day: dt.date) -> tuple[int, Decimal]:
    size = rng.choice((1, 1, 2, 2, 3, 3, 4, 4, 5, 6))
    year = min(max(day.year, POVERTY_YEARS[0]), POVERTY_YEARS[-1])
    guideline = poverty_guideline(year, size, Region.CONTIGUOUS)
    factor = rng.uniform(0.35, 0.95) if poor else rng.uniform(1.08, 3.2)
    return size, Decimal(round(float(guideline) * factor))


def _seed_participants(
    partnership: SectorPartnership, size: int, *, rng: random.Random, today: dt.date, ssns: set[str]
) -> tuple[list[_Person], int]:
    state = partnership_state_fips(partnership.pk)
    participants: list[Participant] = []
    plans: list[dict[str, Any]] = []
    first_enrolment = dt.date(today.year - 3, 1, 1)
    last_enrolment = dt.date(today.year - 1, 9, 30)
    for _ in range(size):
        enrolled = _day_between(rng, first_enrolment, last_enrolment)
        exited: dt.date | None = enrolled + dt.timedelta(days=rng.randint(90, 240))
        if (exited is not None and exited > today) or rng.random() < 0.06:
            exited = None  # still in training
        consent = rng.random() < 0.88
        poor_before = rng.random() < 0.64
        person = Participant(
            partnership=partnership,
            person_key=person_key_of(RawIdentifier(_ssn(rng, ssns))),
            enrolled_on=enrolled,
            exited_on=exited,
            demographics_consent=consent,
        )
        if consent:
            person.birth_year = rng.randint(today.year - 58, today.year - 19)
            person.sex = (
                Sex.FEMALE if rng.random() < 0.46 else (Sex.MALE if rng.random() < 0.98 else Sex.OTHER)
            )
            person.race_ethnicity = rng.choices([r for r, _ in RACES], weights=[w for _, w in RACES])[0]
            person.low_income_at_entry = poor_before or rng.random() < 0.2
            if rng.random() < 0.15:
                person.barriers = rng.choice(
                    ("Justice-involved", "No driver's license", "Long-term unemployed")
                )
        participants.append(person)
        employed_before = rng.random() < 0.62
        employed_after = rng.random() < 0.88
        poor_after = rng.random() < (0.5 if poor_before else 0.08)
        plans.append(
            {
                "employed_before": employed_before,
                "employed_after": employed_after,
                "poor_before": poor_before,
                "poor_after": poor_after,
                # employer benefits, given a job: 49 % / 73 % insured and 35 % / 58 % paid sick leave overall
                "insured_before": employed_before and rng.random() < 0.79,
                "insured_after": employed_after and rng.random() < 0.83,
                "sick_before": employed_before and rng.random() < 0.565,
                "sick_after": employed_after and rng.random() < 0.66,
                "earnings_before": Decimal(round(rng.gauss(5200, 1100))) if employed_before else None,
                "raise": Decimal(round(rng.gauss(500, 650))),
                "credential": rng.random() < 0.7,
            }
        )
    insert_with_history(participants, user=None)
    observations: list[OutcomeObservation] = []
    people: list[_Person] = []
    for person, plan in zip(participants, plans, strict=True):
        before_size, before_income = _household(rng, plan["poor_before"], person.enrolled_on)
        observations.append(
            _observation(
                person,
                Timing.BASELINE,
                person.enrolled_on,
                employed=plan["employed_before"],
                earnings=plan["earnings_before"],
                insured=plan["insured_before"],
                sick=plan["sick_before"],
                household=(before_size, before_income),
                credential=False,
                state=state,
            )
        )
        earnings_after = None
        if plan["employed_after"]:
            base = plan["earnings_before"] or Decimal(round(rng.gauss(4900, 900)))
            earnings_after = max(Decimal(1500), base + plan["raise"])
        if person.exited_on is not None:
            after_size, after_income = _household(rng, plan["poor_after"], person.exited_on)
            for timing, months in (
                (Timing.EXIT, 0),
                (Timing.MONTHS_12, 12),
                (Timing.MONTHS_24, 24),
            ):
                day = _months_after(person.exited_on, months)
                if day > today:
                    break
                observations.append(
                    _observation(
                        person,
                        timing,
                        day,
                        employed=plan["employed_after"],
                        earnings=earnings_after,
                        insured=plan["insured_after"],
                        sick=plan["sick_after"],
                        household=(after_size, after_income),
                        credential=plan["credential"],
                        state=state,
                    )
                )
        people.append(
            _Person(
                participant=person,
                employed_before=plan["employed_before"],
                employed_after=plan["employed_after"],
                earnings_before=plan["earnings_before"],
                earnings_after=earnings_after,
                employer=f"UI-{rng.randint(100000, 999999)}",
            )
        )
    insert_with_history(observations, user=None)
    return people, len(observations)


def _observation(
    person: Participant,
    timing: Timing,
    day: dt.date,
    *,
    employed: bool,
    earnings: Decimal | None,
    insured: bool,
    sick: bool,
    household: tuple[int, Decimal],
    credential: bool,
    state: str | None,
) -> OutcomeObservation:
    size, income = household
    return OutcomeObservation(
        participant=person,
        timing=timing,
        observed_on=day,
        employed=employed,
        quarterly_earnings=earnings if employed and earnings is not None else None,
        household_size=size,
        household_income=income,
        in_poverty=_poverty(income, size, day, state),
        employer_health_insurance=insured and employed,
        paid_sick_leave=sick and employed,
        credential_attained=credential,
    )


def _quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _seed_reports(
    partnership: SectorPartnership,
    cohort: list[_Person],
    *,
    rng: random.Random,
    today: dt.date,
    convener: User | None,
) -> int:
    """One report per quarter since the first enrolment, counts from the cohort itself; submitted (a few
    late) once due, the current quarter a draft; custom indicators with values."""
    indicators = [
        CustomIndicator.objects.create(partnership=partnership, name=name, unit=unit, target=target)
        for name, unit, target in rng.sample(INDICATORS, k=2)
    ]
    if not cohort:
        return 0
    first = min(_quarter_of(p.participant.enrolled_on) for p in cohort)
    last = _quarter_of(today)
    year, quarter = first
    written = 0
    while (year, quarter) <= last:
        enrolled = [p for p in cohort if _quarter_of(p.participant.enrolled_on) == (year, quarter)]
        exited = [
            p
            for p in cohort
            if p.participant.exited_on is not None and _quarter_of(p.participant.exited_on) == (year, quarter)
        ]
        completed = min(len(enrolled), round(len(exited) * rng.uniform(0.8, 0.95)))
        placed = min(completed, round(completed * rng.uniform(0.6, 0.85)))
        values: dict[str, Any] = {
            "employers_engaged": rng.randint(4, 14),
            "workers_enrolled": len(enrolled),
            "workers_completed": completed,
            "workers_credentialed": min(completed, round(completed * rng.uniform(0.55, 0.8))),
            "workers_placed": placed,
            "wages_at_placement": Decimal(f"{rng.uniform(17.5, 27.0):.2f}") if placed else None,
            "narrative": f"Cohort activity in {year} Q{quarter}: {len(enrolled)} enrolled, {placed} placed.",
        }
        report = services.progress_report_create(
            partnership=partnership, year=year, quarter=quarter, values=values
        )
        services.indicator_values_save(
            report=report,
            values={indicator.pk: Decimal(rng.randint(0, 12)) for indicator in indicators},
        )
        due = report.due_on
        if due is not None and due < today and (year, quarter) != last:
            services.progress_report_submit(report=report, user=convener)
            late_days = rng.randint(3, 25) if rng.random() < 0.15 else -rng.randint(1, 20)
            submitted = dt.datetime.combine(due + dt.timedelta(days=late_days), dt.time(15), tzinfo=dt.UTC)
            ProgressReport.objects.filter(pk=report.pk).update(submitted_at=submitted)
        written += 1
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    # One amendment: a correction of an earlier quarter (submitted reports are locked).
    submitted_reports = ProgressReport.objects.filter(partnership=partnership, status=ReportStatus.SUBMITTED)
    earliest = submitted_reports.order_by("year", "quarter").first()
    if earliest is not None and rng.random() < 0.5:
        amendment = services.progress_report_amend(
            report=earliest, values={"employers_engaged": earliest.employers_engaged + 1}
        )
        services.progress_report_submit(report=amendment, user=convener)
        written += 1
    return written


def _seed_changes(
    partnership: SectorPartnership, *, rng: random.Random, today: dt.date, staff: User | None
) -> int:
    chosen = rng.sample(CHANGES, k=rng.randint(1, 3))
    for kind, description, evidence in chosen:
        change = services.systems_change_save(
            change=SystemsChange(
                partnership=partnership,
                kind=kind,
                description=description,
                evidence=evidence,
                occurred_on=today - dt.timedelta(days=rng.randint(30, 700)),
            )
        )
        if staff is not None and evidence and rng.random() < 0.6:
            services.systems_change_verify(change=change, user=staff)
    return len(chosen)


def _seed_testimonials(partnership: SectorPartnership, *, rng: random.Random, today: dt.date) -> int:
    chosen = rng.sample(QUOTES, k=rng.randint(2, 4))
    for index, (quote, who) in enumerate(chosen):
        consented = index == 0 or rng.random() < 0.5
        services.testimonial_save(
            testimonial=Testimonial(
                partnership=partnership,
                quote=quote,
                attributed_to=who,
                consent_to_publish=consented,
                consent_on=today - dt.timedelta(days=rng.randint(10, 400)) if consented else None,
            )
        )
    return len(chosen)


def _seed_wages(people: list[_Person], *, rng: random.Random, today: dt.date) -> int:
    """Quarterly UI wage records from a year before enrolment to the last full quarter, consistent with the
    observations (employed before / after, their earnings); -1 without the wage-record model."""
    try:
        model = apps.get_model("outcomes", "WageRecord")
    except LookupError:
        return -1
    last = _quarter_of(today - dt.timedelta(days=92))
    records = []
    for person in people:
        enrolled = person.participant.enrolled_on
        exited = person.participant.exited_on
        year, quarter = _quarter_of(enrolled - dt.timedelta(days=365))
        employer = person.employer
        while (year, quarter) <= last:
            after = exited is not None and (year, quarter) > _quarter_of(exited)
            employed = person.employed_after if after else person.employed_before
            pay = person.earnings_after if after else person.earnings_before
            if employed and pay is not None and rng.random() < 0.95:
                if after and rng.random() < 0.05:
                    employer = f"UI-{rng.randint(100000, 999999)}"  # changed employer
                wages = max(Decimal(0), pay + Decimal(round(rng.gauss(0, 250))))
                records.append(
                    model(
                        person_key=person.participant.person_key,
                        year=year,
                        quarter=quarter,
                        employer_id=employer,
                        wages=wages,
                    )
                )
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    insert_with_history(records, user=None)
    return len(records)
