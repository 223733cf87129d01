"""Writes of partnership planning: each keyword-only, validating, naming the field, owning its transaction.

Rules spanning records live here: an assessment scores every indicator once; a submitted assessment is
locked (its scores change only through the review); the review needs a comment for every score it adjusts
and computes the phase (``rubric.phase_of``); rankings come only from the partnership's employer members;
an initiative's owners are members of its partnership.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sectorwise.directory.models import Organization
from sectorwise.partnerships.models import EMPLOYER_ROLES, Membership, SectorPartnership
from sectorwise.planning.models import (
    AssessmentStatus,
    IndicatorScore,
    Initiative,
    Priority,
    PriorityRanking,
    PrioritySource,
    SelfAssessment,
    SustainabilityFunding,
)
from sectorwise.planning.rubric import INDICATOR_LABELS, Indicator, Phase, phase_of

INITIATIVE_FIELDS = ("title", "description", "starts_on", "due_on", "status")
FUNDING_FIELDS = ("source_name", "kind", "amount", "period_start", "period_end", "notes")


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _checked_date(assessed_on: dt.date) -> None:
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "A self-assessment is dated the day it was made, not later."})


def _checked_scores(scores: Mapping[Indicator, int | None], *, complete: bool) -> dict[Indicator, int]:
    """Scores 1-4 by indicator; ``complete``: every indicator needs one (a draft may leave some out)."""
    errors: dict[str, str] = {}
    checked: dict[Indicator, int] = {}
    for indicator in Indicator:
        value = scores.get(indicator)
        if value is None:
            if complete:
                errors[indicator.value] = f"Score {INDICATOR_LABELS[indicator].lower()}."
            continue
        if int(value) not in tuple(Phase):
            errors[indicator.value] = "A score is a phase: 1 (exploring) to 4 (sustaining)."
            continue
        checked[indicator] = int(value)
    if errors:
        raise ValidationError(errors)
    return checked


# Maturity self-assessment -----------------------------------------------------------------------------


def _write_scores(assessment: SelfAssessment, scores: Mapping[Indicator, int]) -> None:
    existing = {score.indicator: score for score in assessment.scores.all()}
    for indicator in Indicator:
        value = scores.get(indicator)
        row = existing.get(indicator.value)
        if value is None:
            if row is not None:
                row.delete()
        elif row is None:
            IndicatorScore.objects.create(assessment=assessment, indicator=indicator.value, self_score=value)
        elif row.self_score != value:
            row.self_score = value
            row.save(update_fields=["self_score"])


@transaction.atomic
def assessment_create(
    *,
    partnership: SectorPartnership,
    assessed_on: dt.date,
    scores: Mapping[Indicator, int | None],
    notes: str = "",
) -> SelfAssessment:
    """A draft self-assessment (scores may be partial until it is submitted)."""
    _checked_date(assessed_on)
    checked = _checked_scores(scores, complete=False)
    assessment = SelfAssessment(partnership=partnership, assessed_on=assessed_on, notes=notes)
    assessment.full_clean()
    assessment.save()
    _write_scores(assessment, checked)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    assessment: SelfAssessment,
    assessed_on: dt.date,
    scores: Mapping[Indicator, int | None],
    notes: str = "",
) -> SelfAssessment:
    locked = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.locked:
        raise ValidationError(f"{locked} was submitted: its scores change only through the staff's review.")
    _checked_date(assessed_on)
    checked = _checked_scores(scores, complete=False)
    locked.assessed_on, locked.notes = assessed_on, notes
    locked.full_clean()
    locked.save()
    _write_scores(locked, checked)
    assessment.refresh_from_db()
    return locked


@transaction.atomic
def assessment_submit(*, assessment: SelfAssessment, user: Any) -> SelfAssessment:
    """Lock the partnership's scores for review; every indicator must be scored. Sets ``self_phase``."""
    locked = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.locked:
        raise ValidationError(f"{locked} was already submitted.")
    scores = _checked_scores(_self_scores(locked), complete=True)
    locked.self_phase = phase_of(scores)
    locked.status = AssessmentStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = _user_or_none(user)
    locked.save()
    assessment.refresh_from_db()
    return locked


def _self_scores(assessment: SelfAssessment) -> dict[Indicator, int | None]:
    return {Indicator(score.indicator): score.self_score for score in assessment.scores.all()}


@transaction.atomic
def assessment_review(
    *,
    assessment: SelfAssessment,
    user: Any,
    scores: Mapping[Indicator, int | None],
    comments: Mapping[Indicator, str] | None = None,
    review_comment: str = "",
) -> SelfAssessment:
    """State staff's review of a submitted assessment: each indicator's score agreed (the same) or adjusted
    (another, with a comment saying why); the phase follows from the reviewed scores."""
    locked = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(
            f"{locked} is {locked.get_status_display().lower()}: only a submitted one is reviewed."
        )
    reviewed = _checked_scores(scores, complete=True)
    comments = comments or {}
    rows = {Indicator(row.indicator): row for row in locked.scores.all()}
    errors = {
        indicator.value: f"Say why {INDICATOR_LABELS[indicator].lower()} is adjusted "
        f"from {rows[indicator].self_score}."
        for indicator, value in reviewed.items()
        if value != rows[indicator].self_score and not (comments.get(indicator) or "").strip()
    }
    if errors:
        raise ValidationError(errors)
    for indicator, row in rows.items():
        row.reviewed_score = reviewed[indicator]
        row.comment = (comments.get(indicator) or "").strip() if row.reviewed_score != row.self_score else ""
        row.save(update_fields=["reviewed_score", "comment"])
    locked.phase = phase_of(reviewed)
    locked.status = AssessmentStatus.REVIEWED
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = _user_or_none(user)
    locked.review_comment = review_comment
    locked.full_clean()
    locked.save()
    assessment.refresh_from_db()
    return locked


# Action plan --------------------------------------------------------------------------------------------


def _refuse_duplicate_title(partnership: SectorPartnership, title: str, exclude: int | None = None) -> None:
    clash = Priority.objects.filter(partnership=partnership, title__iexact=title.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"title": f"{partnership} already has the priority “{title.strip()}”."})


@transaction.atomic
def priority_create(
    *,
    partnership: SectorPartnership,
    title: str,
    description: str = "",
    source: str = PrioritySource.PARTNERSHIP,
    source_code: str = "",
) -> Priority:
    _refuse_duplicate_title(partnership, title)
    priority = Priority(
        partnership=partnership,
        title=title.strip(),
        description=description,
        source=source,
        source_code=source_code,
    )
    priority.full_clean()
    try:
        with transaction.atomic():  # a concurrent twin meets the unique constraint
            priority.save()
    except IntegrityError:
        raise ValidationError(
            {"title": f"{partnership} already has the priority “{title.strip()}”."}
        ) from None
    return priority


def employer_members(*, partnership: SectorPartnership) -> list[Membership]:
    """The partnership's employer members (champions and members), who rank its priorities."""
    return list(
        Membership.objects.filter(partnership=partnership, role__in=EMPLOYER_ROLES)
        .select_related("organization")
        .order_by("organization__name")
    )


@transaction.atomic
def priority_rank(
    *,
    priority: Priority,
    rankings: Mapping[int, tuple[int, int] | None],
    user: Any,
) -> list[PriorityRanking]:
    """Record the employers' rankings of ``priority``: membership id -> (importance, feasibility), each 1-5,
    or None to clear that employer's ranking. Only the partnership's employer members rank."""
    members = {member.pk: member for member in employer_members(partnership=priority.partnership)}
    errors: dict[str, str] = {}
    for membership_id, pair in rankings.items():
        if membership_id not in members:
            errors[f"member_{membership_id}"] = "Only the partnership's employer members rank its priorities."
        elif pair is not None and not all(1 <= int(value) <= 5 for value in pair):
            errors[f"member_{membership_id}"] = "Importance and feasibility are 1 (low) to 5 (high)."
    if errors:
        raise ValidationError(errors)
    existing = {row.membership_id: row for row in PriorityRanking.objects.filter(priority=priority)}
    written = []
    for membership_id, pair in rankings.items():
        row = existing.get(membership_id)
        if pair is None:
            if row is not None:
                row.delete()
            continue
        importance, feasibility = int(pair[0]), int(pair[1])
        if row is None:
            row = PriorityRanking(priority=priority, membership=members[membership_id])
        elif (row.importance, row.feasibility) == (importance, feasibility):
            written.append(row)
            continue
        row.importance, row.feasibility, row.entered_by = importance, feasibility, _user_or_none(user)
        row.full_clean()
        try:
            with transaction.atomic():  # another user entered this employer's ranking at the same moment
                row.save()
        except IntegrityError:
            raise ValidationError(
                f"{members[membership_id].organization}'s ranking was entered meanwhile: reload, try again."
            ) from None
        written.append(row)
    return written


def _checked_owners(partnership: SectorPartnership, owners: Iterable[Organization]) -> list[Organization]:
    owners = list(owners)
    member_ids = set(
        Membership.objects.filter(partnership=partnership).values_list("organization_id", flat=True)
    )
    strangers = [owner.name for owner in owners if owner.pk not in member_ids]
    if strangers:
        raise ValidationError({"owners": f"Not members of {partnership}: {', '.join(strangers)}."})
    if not owners:
        raise ValidationError({"owners": "An initiative needs at least one owner among the members."})
    return owners


@transaction.atomic
def initiative_create(
    *, priority: Priority, values: Mapping[str, Any], owners: Iterable[Organization]
) -> Initiative:
    checked = _checked_owners(priority.partnership, owners)
    initiative = Initiative(
        priority=priority, **{name: values[name] for name in INITIATIVE_FIELDS if name in values}
    )
    initiative.full_clean()
    initiative.save()
    initiative.owners.set(checked)
    return initiative


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, values: Mapping[str, Any], owners: Iterable[Organization]
) -> Initiative:
    checked = _checked_owners(initiative.priority.partnership, owners)
    for name in INITIATIVE_FIELDS:
        if name in values:
            setattr(initiative, name, values[name])
    initiative.full_clean()
    initiative.save()
    initiative.owners.set(checked)
    return initiative


@transaction.atomic
def priorities_seed_from_demand(
    *,
    partnership: SectorPartnership,
    occupations: Sequence[tuple[str, str]],
    skill_gaps: Sequence[str],
) -> list[Priority]:
    """Priorities from the employer demand survey: one per hard-to-fill occupation ((SOC code, title)) and
    per skill gap; those the plan already holds (same title, any case) are left alone. Returns the new
    ones."""
    taken = {
        title.lower()
        for title in Priority.objects.filter(partnership=partnership).values_list("title", flat=True)
    }
    created = []
    wanted = [
        (f"Hard to fill: {title}", PrioritySource.SURVEY_OCCUPATION, code) for code, title in occupations
    ] + [(f"Skill gap: {gap}", PrioritySource.SURVEY_SKILL_GAP, "") for gap in skill_gaps]
    for title, source, code in wanted:
        title = title.strip()[:200]
        if title.lower() in taken:
            continue
        taken.add(title.lower())
        priority = Priority(partnership=partnership, title=title, source=source, source_code=code[:20])
        priority.full_clean()
        priority.save()
        created.append(priority)
    return created


# Sustainability -----------------------------------------------------------------------------------------


@transaction.atomic
def sustainability_funding_create(
    *, partnership: SectorPartnership, values: Mapping[str, Any]
) -> SustainabilityFunding:
    funding = SustainabilityFunding(
        partnership=partnership, **{name: values[name] for name in FUNDING_FIELDS if name in values}
    )
    funding.full_clean()
    funding.save()
    return funding


@transaction.atomic
def sustainability_funding_update(
    *, funding: SustainabilityFunding, values: Mapping[str, Any]
) -> SustainabilityFunding:
    for name in FUNDING_FIELDS:
        if name in values:
            setattr(funding, name, values[name])
    funding.full_clean()
    funding.save()
    return funding
