"""Writes of the grants app: ``<entity>_<action>``, keyword-only, each owning its transaction.

Money that must not be overspent: the award and payment services lock the rows they draw on
(``select_for_update``, ordered by id so two writers never wait on each other in a circle), compute from the
locked values, and move the denormalised ``committed``/``paid`` columns with ``F()`` updates; the check
constraints on those columns refuse anything that slipped past (``IntegrityError`` answered as the
service's ``ValidationError``). On SQLite the write transaction is ``BEGIN IMMEDIATE`` (settings), so writers
queue and ``select_for_update`` is not needed there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from sectorwise.core.services import refuse_duplicate_name, refuse_nulls
from sectorwise.grants.files import RefusedFile, sniff
from sectorwise.grants.models import (
    NARRATIVE_SECTIONS,
    ZERO,
    Amendment,
    Application,
    ApplicationState,
    Attachment,
    AttachmentKind,
    Award,
    AwardFunding,
    AwardState,
    BudgetLine,
    ConflictOfInterest,
    CostCategory,
    Criterion,
    FundingSource,
    GrantKind,
    GrantProgram,
    Milestone,
    NotificationPreference,
    Payment,
    PaymentLine,
    PaymentRequest,
    PaymentRequestDraw,
    PaymentRequestLine,
    PaymentRequestState,
    ProgramContribution,
    ReportDue,
    Review,
    ReviewState,
    Round,
    RoundState,
    Score,
)
from sectorwise.grants.notifications import conveners_of, notify, state_staff
from sectorwise.grants.rules import reviewer_conflicted
from sectorwise.grants.split import SourceOption, SplitShort, split_award
from sectorwise.partnerships.models import Region, SectorPartnership, Stage
from sectorwise.partnerships.selectors import partnership_health
from sectorwise.planning.rubric import Phase
from sectorwise.planning.selectors import partnership_maturity


@dataclass(frozen=True)
class KindLimits:
    min_amount: Decimal
    max_amount: Decimal
    min_months: int
    max_months: int


KIND_DEFAULTS: Final = {
    GrantKind.PLANNING: KindLimits(Decimal("25000.00"), Decimal("150000.00"), 1, 6),
    GrantKind.IMPLEMENTATION: KindLimits(Decimal("50000.00"), Decimal("500000.00"), 12, 36),
}
"""The seed's limits of each kind of grant (a program copies them and staff may change them)."""

DEFAULT_RUBRIC: Final = (
    (
        "Industry assessment",
        "Labour-market evidence for the region and target industries: employment, concentration, growth, "
        "wages, occupations in demand; its data vintage.",
        Decimal("2"),
        True,
    ),
    (
        "Employer leadership",
        "Employers lead and co-chair; the share of the industry they represent.",
        1,
        False,
    ),
    ("Partnership breadth", "Education, workforce, labour and community partners at the table.", 1, False),
    (
        "Work plan and outcomes",
        "Activities, milestones and measurable outcomes for workers and firms.",
        1,
        False,
    ),
    (
        "Budget and sustainability",
        "A reasonable budget with match; how the work continues after the grant.",
        1,
        False,
    ),
)
"""The default criteria (name, guidance, weight, is the industry assessment): the industry assessment weighs
2 of 6, one third of the score, as in Georgia's request for proposals."""


def _save(instance: Any) -> None:
    refuse_nulls(instance)
    instance.full_clean(validate_unique=True)
    instance.save()


# Funding sources and programs -------------------------------------------------------------------------


def _choices_error(field: str, values: Iterable[str], allowed: Iterable[str]) -> dict[str, str]:
    unknown = sorted(set(values) - set(allowed))
    return {field: f"Unknown: {', '.join(unknown)}."} if unknown else {}


@transaction.atomic
def funding_source_create(
    *,
    name: str,
    system: str,
    fiscal_year: int,
    amount: Decimal,
    allowed_regions: Sequence[Region] = (),
    allowed_naics: Sequence[str] = (),
    allowed_cost_categories: Sequence[str] = (),
    allowed_program_kinds: Sequence[str] = (),
    notes: str = "",
) -> FundingSource:
    errors = {
        **_choices_error("allowed_cost_categories", allowed_cost_categories, CostCategory.values),
        **_choices_error("allowed_program_kinds", allowed_program_kinds, GrantKind.values),
    }
    bad_naics = [code for code in allowed_naics if not (code.isdigit() and 2 <= len(code) <= 6)]
    if bad_naics:
        errors["allowed_naics"] = f"NAICS prefixes are 2 to 6 digits: {', '.join(bad_naics)}."
    if errors:
        raise ValidationError(errors)
    source = FundingSource(
        name=name.strip(),
        system=system,
        fiscal_year=fiscal_year,
        amount=amount,
        allowed_naics=sorted(set(allowed_naics)),
        allowed_cost_categories=sorted(set(allowed_cost_categories)),
        allowed_program_kinds=sorted(set(allowed_program_kinds)),
        notes=notes,
    )
    refuse_duplicate_name(source, "a funding source")
    _save(source)
    source.allowed_regions.set(allowed_regions)
    return source


@transaction.atomic
def program_create(
    *,
    name: str,
    kind: str,
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
    min_months: int | None = None,
    max_months: int | None = None,
    description: str = "",
) -> GrantProgram:
    """A program with its kind's default limits unless given."""
    if kind not in GrantKind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    limits = KIND_DEFAULTS[GrantKind(kind)]
    program = GrantProgram(
        name=name.strip(),
        kind=kind,
        min_amount=limits.min_amount if min_amount is None else min_amount,
        max_amount=limits.max_amount if max_amount is None else max_amount,
        min_months=limits.min_months if min_months is None else min_months,
        max_months=limits.max_months if max_months is None else max_months,
        description=description,
    )
    if program.min_amount > program.max_amount:
        raise ValidationError({"min_amount": "The smallest amount is above the largest."})
    if program.min_months > program.max_months:
        raise ValidationError({"min_months": "The shortest duration is above the longest."})
    refuse_duplicate_name(program, "a program")
    _save(program)
    return program


@transaction.atomic
def program_contribute(
    *, program: GrantProgram, source: FundingSource, amount: Decimal
) -> ProgramContribution:
    """Pledge ``amount`` of ``source`` to ``program`` (or change the pledge): more than nothing and within
    the source's balance (what it has not committed to awards yet, the source row locked), plus what this
    program's awards already drew from it (a pledge counts them)."""
    if source.allowed_program_kinds and program.kind not in source.allowed_program_kinds:
        raise ValidationError(
            {"source": f"{source} does not fund {program.get_kind_display().lower()} grants."}
        )
    if amount <= 0:
        raise ValidationError({"amount": "A contribution is more than $0.00."})
    balance = FundingSource.objects.select_for_update().get(pk=source.pk).balance
    drawn = (
        AwardFunding.objects.filter(award__application__round__program=program, source=source).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    if amount > balance + drawn:
        already = f" and ${drawn:,.2f} already drawn by {program}'s awards" if drawn else ""
        raise ValidationError(
            {
                "amount": f"${amount:,.2f} is more than {source}'s balance: ${balance:,.2f} left to "
                f"commit{already}."
            }
        )
    contribution, _ = ProgramContribution.objects.get_or_create(
        program=program, source=source, defaults={"amount": amount}
    )
    if contribution.amount != amount:
        contribution.amount = amount
    _save(contribution)
    return contribution


# Rounds -----------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    program: GrantProgram,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    criteria: Sequence[tuple[str, str, Decimal | int, bool]] = DEFAULT_RUBRIC,
    required_attachments: Sequence[str] = (),
) -> Round:
    """A planned round with its rubric (the default one unless given) and the kinds of attachment every
    application must carry. Rounds of one program never overlap: the program row is locked so two requests
    cannot both pass the check (and PostgreSQL's exclusion constraint, migration 0002, refuses it
    regardless)."""
    if opens_on > closes_on:
        raise ValidationError({"closes_on": "A round closes on or after the day it opens."})
    unknown_kinds = _choices_error("required_attachments", required_attachments, AttachmentKind.values)
    if unknown_kinds:
        raise ValidationError(unknown_kinds)
    if not criteria:
        raise ValidationError({"criteria": "A round scores applications on at least one criterion."})
    GrantProgram.objects.select_for_update().filter(pk=program.pk).first()
    overlapping = Round.objects.filter(
        program=program, opens_on__lte=closes_on, closes_on__gte=opens_on
    ).first()
    if overlapping is not None:
        raise ValidationError(
            {
                "opens_on": f"Overlaps {overlapping.name} ({overlapping.opens_on} to "
                f"{overlapping.closes_on}): rounds of one program do not overlap."
            }
        )
    grant_round = Round(
        program=program,
        name=name.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        required_attachments=sorted(set(required_attachments)),
    )
    _save(grant_round)
    for position, (criterion_name, guidance, weight, is_assessment) in enumerate(criteria):
        _save(
            Criterion(
                round=grant_round,
                name=criterion_name,
                guidance=guidance,
                weight=Decimal(weight),
                position=position,
                is_industry_assessment=is_assessment,
            )
        )
    return grant_round


def _round_move(grant_round: Round, *, source: str, target: str, verb: str) -> Round:
    locked = Round.objects.select_for_update().get(pk=grant_round.pk)
    if locked.state != source:
        raise ValidationError(
            {
                "state": f"{locked.name} is {locked.get_state_display().lower()}; only a round "
                f"{RoundState(source).label.lower()} can be {verb}."
            }
        )
    locked.state = target
    locked.save()
    grant_round.state = target
    return locked


@transaction.atomic
def round_open(*, grant_round: Round) -> Round:
    return _round_move(grant_round, source=RoundState.PLANNED, target=RoundState.OPEN, verb="opened")


@transaction.atomic
def round_close(*, grant_round: Round) -> Round:
    """Closed to applications; submitted applications go into review."""
    closed = _round_move(grant_round, source=RoundState.OPEN, target=RoundState.IN_REVIEW, verb="closed")
    for application in Application.objects.filter(round=closed, state=ApplicationState.SUBMITTED):
        application.start_review()
        application.save()
    return closed


@transaction.atomic
def round_review_close(*, grant_round: Round) -> Round:
    """The review is over: reviewers may now see each other's scores."""
    return _round_move(
        grant_round, source=RoundState.IN_REVIEW, target=RoundState.REVIEW_CLOSED, verb="closed to review"
    )


# Applications -----------------------------------------------------------------------------------------

APPLICATION_FIELDS: Final = (
    "title",
    "requested_amount",
    "duration_months",
    *(n for n, _ in NARRATIVE_SECTIONS),
)


@dataclass(frozen=True)
class BudgetLineInput:
    category: str
    amount: Decimal
    match_amount: Decimal = ZERO
    match_source: str = ""
    description: str = ""


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("round__program", "partnership")
        .get(pk=application.pk)
    )


def _refuse_unless_draft(application: Application) -> None:
    if application.state != ApplicationState.DRAFT:
        raise ValidationError(
            {"state": f"The application is {application.get_state_display().lower()}: only drafts change."}
        )


def _budget_rows(
    lines: Iterable[BudgetLine | BudgetLineInput],
) -> list[tuple[str, Decimal, Decimal, str, str]]:
    return [
        (line.category, line.amount, line.match_amount, line.match_source, line.description) for line in lines
    ]


def _write_budget(application: Application, lines: Sequence[BudgetLineInput]) -> None:
    errors: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        if line.category not in CostCategory.values:
            errors.setdefault("budget_lines", []).append(
                f"Line {number}: unknown category {line.category!r}."
            )
        if line.amount < 0 or line.match_amount < 0:
            errors.setdefault("budget_lines", []).append(f"Line {number}: amounts are not negative.")
    if errors:
        raise ValidationError(errors)
    if _budget_rows(application.budget_lines.order_by("id")) == _budget_rows(lines):
        return  # the same lines: nothing to write
    application.budget_lines.all().delete()
    for line in lines:
        _save(
            BudgetLine(
                application=application,
                category=line.category,
                amount=line.amount,
                match_amount=line.match_amount,
                match_source=line.match_source,
                description=line.description,
            )
        )


@transaction.atomic
def application_create(
    *, grant_round: Round, partnership: SectorPartnership, user: Any, **fields: Any
) -> Application:
    """A draft by ``partnership``'s convener in an open round (one per partnership and round)."""
    if grant_round.state != RoundState.OPEN:
        raise ValidationError({"round": f"{grant_round.name} is not open for applications."})
    if partnership.convener_id != getattr(user, "organization_id", None):
        raise ValidationError({"partnership": "Only the partnership's convener applies for it."})
    if Application.objects.filter(round=grant_round, partnership=partnership).exists():
        raise ValidationError({"partnership": f"{partnership} already has an application in this round."})
    application = Application(round=grant_round, partnership=partnership, created_by=user)
    _set_fields(application, fields)
    _save(application)
    return application


def _set_fields(application: Application, fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(APPLICATION_FIELDS))
    if unknown:
        raise ValidationError({name: "Not a field of an application." for name in unknown})
    for name, value in fields.items():
        setattr(application, name, value)


@transaction.atomic
def application_save_draft(
    *, application: Application, budget_lines: Sequence[BudgetLineInput] | None = None, **fields: Any
) -> Application:
    """Save what is there, with required fields still missing; only a draft changes. What did not change
    is not written again (no new history record): submitting an unchanged draft from its page writes
    nothing here."""
    locked = _lock_application(application)
    _refuse_unless_draft(locked)
    changed = [
        name for name in APPLICATION_FIELDS if name in fields and getattr(locked, name) != fields[name]
    ]
    _set_fields(locked, fields)
    if changed:
        _save(locked)
    if budget_lines is not None:
        _write_budget(locked, budget_lines)
    return locked


def application_completeness_errors(*, application: Application) -> dict[str, list[str]]:
    """What submission needs and the application lacks, by field."""
    errors: dict[str, list[str]] = {}
    program = application.round.program

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not application.title.strip():
        add("title", "A title is required.")
    for name, heading in NARRATIVE_SECTIONS:
        if not getattr(application, name).strip():
            add(name, f"{heading} is required.")
    amount = application.requested_amount
    if amount is None:
        add("requested_amount", "The amount requested is required.")
    elif not program.min_amount <= amount <= program.max_amount:
        add(
            "requested_amount",
            f"{program.name} grants are ${program.min_amount:,.2f} to ${program.max_amount:,.2f}.",
        )
    months = application.duration_months
    if months is None:
        add("duration_months", "The duration is required.")
    elif not program.min_months <= months <= program.max_months:
        add(
            "duration_months",
            f"{program.name} grants last {program.min_months} to {program.max_months} months.",
        )
    lines = list(application.budget_lines.all())
    if not lines:
        add("budget_lines", "A budget with at least one line is required.")
    elif amount is not None:
        total = sum((line.amount for line in lines), ZERO)
        if total != amount:
            add(
                "budget_lines", f"The budget lines add up to ${total:,.2f}, not the ${amount:,.2f} requested."
            )
    required = application.round.required_attachments
    if required and application.pk:
        present = set(application.attachments.values_list("kind", flat=True))
        for kind in required:
            if kind not in present:
                add("attachments", f"{AttachmentKind(kind).label} is required (attach the file).")
    return errors


def application_eligibility_errors(*, application: Application) -> dict[str, list[str]]:
    """An implementation grant needs an employer-led partnership (the registry's computed health) and a
    finished planning phase (the partnership reached the implementation stage, holds an awarded planning
    grant, or the state's review of its latest maturity self-assessment found it implementing or
    sustaining) or a staff waiver with a reason."""
    if application.round.program.kind != GrantKind.IMPLEMENTATION:
        return {}
    partnership = application.partnership
    errors: dict[str, list[str]] = {}
    health = partnership_health(partnership=partnership)
    if not health.employer_led:
        errors["partnership"] = [
            f"{partnership} is not employer-led (an employer co-chair and at least half employer members): "
            f"{health.employer_count} of {health.member_count} members are employers"
            f"{'' if health.has_employer_cochair else ', no employer co-chair'}."
        ]
    planned = (
        partnership.stage in (Stage.IMPLEMENTATION, Stage.SUSTAINING)
        or Award.objects.filter(
            application__partnership=partnership, application__round__program__kind=GrantKind.PLANNING
        ).exists()
    )
    maturity = None if planned else partnership_maturity(partnership=partnership)
    if maturity is not None and maturity.phase >= Phase.IMPLEMENTING:
        planned = True
    if not planned and not application.planning_waiver_reason.strip():
        assessed = (
            f"reviewed self-assessment of {maturity.assessed_on:%Y-%m-%d}: {maturity.phase.label.lower()}"
            if maturity is not None
            else "no reviewed self-assessment"
        )
        errors.setdefault("partnership", []).append(
            f"{partnership} has not finished a planning phase (no planning grant, stage "
            f"{partnership.get_stage_display().lower()}, {assessed}); staff may waive this with a reason."
        )
    return errors


@transaction.atomic
def application_submit(*, application: Application) -> Application:
    """Check everything, then lock the application (submitted, timestamped)."""
    locked = _lock_application(application)
    _refuse_unless_draft(locked)
    if locked.round.state != RoundState.OPEN:
        raise ValidationError({"round": f"{locked.round.name} is closed to applications."})
    errors = application_completeness_errors(application=locked)
    for field, messages in application_eligibility_errors(application=locked).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    locked.submit()
    locked.submitted_at = timezone.now()
    locked.save()
    notify(
        users=state_staff(),
        subject=f"Application submitted: {locked.partnership} in {locked.round}",
        body=f"{locked.title}: ${locked.requested_amount:,.2f} requested.",
    )
    return locked


@transaction.atomic
def application_waive_planning(*, application: Application, reason: str) -> Application:
    """Staff's waiver of the planning phase for an implementation application, with its reason."""
    if not reason.strip():
        raise ValidationError({"planning_waiver_reason": "A waiver needs a reason."})
    locked = _lock_application(application)
    locked.planning_waiver_reason = reason.strip()
    _save(locked)
    return locked


# Reviews ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    assigned: list[Review]
    excluded: list[tuple[Any, str]]
    """(reviewer, why not assigned)."""


@transaction.atomic
def review_assign(*, application: Application, reviewers: Sequence[Any]) -> Assignment:
    """Assign reviewers, leaving out (with the reason) anyone conflicted: declared, or whose organisation
    convenes or is a member of the applying partnership."""
    application = _lock_application(application)
    if application.state in (ApplicationState.DRAFT, ApplicationState.WITHDRAWN):
        raise ValidationError({"application": "Only submitted applications are reviewed."})
    assigned, excluded = [], []
    for reviewer in reviewers:
        if reviewer_conflicted(reviewer=reviewer, partnership_id=application.partnership_id):
            excluded.append((reviewer, f"{reviewer} is conflicted with {application.partnership}."))
            continue
        review, _ = Review.objects.get_or_create(application=application, reviewer=reviewer)
        assigned.append(review)
    return Assignment(assigned=assigned, excluded=excluded)


@transaction.atomic
def review_assign_batch(
    *, applications: Sequence[Application], reviewers: Sequence[Any]
) -> dict[int, Assignment]:
    """Several reviewers to several applications in one action (one transaction): each pair as
    ``review_assign`` would, conflicted pairs left out with the reason. By application id."""
    if not applications or not reviewers:
        raise ValidationError({"applications": "Choose at least one application and one reviewer."})
    return {
        application.pk: review_assign(application=application, reviewers=reviewers)
        for application in sorted(applications, key=lambda a: a.pk)
    }


@transaction.atomic
def conflict_declare(*, reviewer: Any, partnership: SectorPartnership, reason: str) -> ConflictOfInterest:
    """A reviewer's conflict with a partnership, kept with its reason; open reviews of its applications are
    recused (their scores kept, out of the totals)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why (it is kept with the declaration)."})
    conflict, _ = ConflictOfInterest.objects.get_or_create(
        reviewer=reviewer, partnership=partnership, defaults={"reason": reason.strip()}
    )
    for review in Review.objects.filter(reviewer=reviewer, application__partnership=partnership).exclude(
        state=ReviewState.RECUSED
    ):
        review.state = ReviewState.RECUSED
        review.save()
    return conflict


def _open_review(application: Application, reviewer: Any) -> Review:
    review = (
        Review.objects.select_for_update()
        .filter(application=application, reviewer=reviewer)
        .select_related("application__round")
        .first()
    )
    if review is None or review.state == ReviewState.RECUSED:
        raise ValidationError({"application": "This application is not assigned to you."})
    if reviewer_conflicted(reviewer=reviewer, partnership_id=application.partnership_id):
        raise ValidationError({"application": "You are conflicted with this partnership."})
    if review.state == ReviewState.SUBMITTED:
        raise ValidationError({"application": "Your review is submitted: its scores no longer change."})
    if review.application.round.state != RoundState.IN_REVIEW:
        raise ValidationError({"application": "The round is not in review."})
    return review


@transaction.atomic
def score_record(
    *, application: Application, reviewer: Any, criterion: Criterion, score: int, comment: str = ""
) -> Score:
    """A reviewer's score on one criterion (a draft until the review is submitted)."""
    review = _open_review(application, reviewer)
    if criterion.round_id != application.round_id:
        raise ValidationError({"criterion_id": "Not a criterion of this application's round."})
    if not 0 <= score <= criterion.max_score:
        raise ValidationError({"score": f"A score on {criterion.name} is 0 to {criterion.max_score}."})
    record, _ = Score.objects.get_or_create(
        review=review, criterion=criterion, defaults={"score": score, "comment": comment}
    )
    record.score, record.comment = score, comment
    _save(record)
    return record


@transaction.atomic
def review_submit(*, application: Application, reviewer: Any) -> Review:
    review = _open_review(application, reviewer)
    missing = Criterion.objects.filter(round_id=application.round_id).exclude(scores__review=review)
    if missing.exists():
        raise ValidationError({"scores": f"Not scored yet: {', '.join(c.name for c in missing)}."})
    review.state = ReviewState.SUBMITTED
    review.submitted_at = timezone.now()
    review.save()
    return review


# Awards and payments ----------------------------------------------------------------------------------


def source_ineligibility(*, source: FundingSource, application: Application, region_ids: set[int]) -> str:
    """Why ``source`` may not fund ``application`` ("" when it may)."""
    partnership = application.partnership
    kind = application.round.program.kind
    if source.allowed_program_kinds and kind not in source.allowed_program_kinds:
        return f"funds only {', '.join(source.allowed_program_kinds)} grants"
    if region_ids and partnership.region_id not in region_ids:
        return f"does not fund the region {partnership.region}"
    if source.allowed_naics:
        targets = partnership.target_naics_codes
        if not any(code.startswith(prefix) for code in targets for prefix in source.allowed_naics):
            return f"funds only industries {', '.join(source.allowed_naics)}"
    return ""


def _options(application: Application, sources: list[FundingSource]) -> tuple[list[SourceOption], list[str]]:
    program = application.round.program
    pledged = {c.source_id: c.amount for c in ProgramContribution.objects.filter(program=program)}
    drawn = dict(
        AwardFunding.objects.filter(award__application__round__program=program)
        .values_list("source_id")
        .annotate(total=Sum("amount"))
        .values_list("source_id", "total")
    )
    lines = list(application.budget_lines.all())
    options, refused = [], []
    for source in sources:
        why = source_ineligibility(
            source=source, application=application, region_ids={r.pk for r in source.allowed_regions.all()}
        )
        if why:
            refused.append(f"{source.name} {why}")
            continue
        caps = [
            (source.balance, "its balance"),
            (pledged[source.pk] - drawn.get(source.pk, ZERO), "its pledge left"),
        ]
        if source.allowed_cost_categories:
            budget = sum(
                (line.amount for line in lines if line.category in source.allowed_cost_categories), ZERO
            )
            caps.append((budget, f"the budget in {', '.join(source.allowed_cost_categories)}"))
        cap, reason = min(caps, key=lambda pair: pair[0])
        options.append(SourceOption(source.pk, source.name, max(cap, ZERO), reason))
    return options, refused


def award_split_options(*, application: Application) -> tuple[list[SourceOption], list[str]]:
    """The sources pledged to the application's program that may fund it, with their caps, and why the
    others may not (unlocked: a preview)."""
    sources = list(
        FundingSource.objects.filter(contributions__program=application.round.program_id).prefetch_related(
            "allowed_regions"
        )
    )
    return _options(application, sources)


@transaction.atomic
def award_create(
    *,
    application: Application,
    amount: Decimal,
    starts_on: dt.date,
    ends_on: dt.date,
    conditions: str = "",
) -> Award:
    """Award ``amount`` to a reviewed application, split across the sources that may fund it (fewest
    sources, each within its balance, pledge and restrictions), committing their money in this transaction."""
    locked = _lock_application(application)
    program = locked.round.program
    if not can_proceed(locked.mark_awarded):
        raise ValidationError({"application": "Only an application in review or recommended is awarded."})
    if not program.min_amount <= amount <= program.max_amount:
        raise ValidationError(
            {"amount": f"{program.name} grants are ${program.min_amount:,.2f} to ${program.max_amount:,.2f}."}
        )
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "An award ends after it starts."})
    # The sources' rows are locked (in id order) for the rest of the transaction: balances read here are
    # the ones the commitment is checked against.
    sources = list(
        FundingSource.objects.select_for_update().filter(contributions__program=program).order_by("pk")
    )
    options, refused = _options(locked, sources)
    try:
        shares = split_award(amount=amount, options=options)
    except SplitShort as short:
        detail = f" Not eligible: {'; '.join(refused)}." if refused else ""
        raise ValidationError({"amount": f"{short}{detail}"}) from None
    award = Award(
        application=locked, amount=amount, starts_on=starts_on, ends_on=ends_on, conditions=conditions
    )
    _save(award)
    try:
        with transaction.atomic():
            for share in shares:
                AwardFunding.objects.create(
                    award=award, source_id=share.source_id, amount=share.amount, explanation=share.explanation
                )
                FundingSource.objects.filter(pk=share.source_id).update(
                    committed=F("committed") + share.amount
                )
    except IntegrityError:
        raise ValidationError(
            {"amount": "A funding source's balance changed meanwhile; it is now short."}
        ) from None
    locked.mark_awarded()
    locked.save()
    _write_report_schedule(award)
    notify(
        users=conveners_of(locked.partnership.convener_id),
        subject=f"Award: {locked.partnership} in {locked.round}",
        body=f"${amount:,.2f} awarded for {starts_on} to {ends_on}. "
        "The decision letter is on the award's page.",
    )
    return award


def _lines_errors(amount: Decimal, lines: Sequence[tuple[str, Decimal]], *, required: bool) -> None:
    if required and not lines:
        raise ValidationError({"lines": "At least one expenditure line (category and amount) is required."})
    for number, (category, line_amount) in enumerate(lines, start=1):
        if category not in CostCategory.values:
            raise ValidationError({"lines": f"Line {number}: unknown category {category!r}."})
        if line_amount <= 0:
            raise ValidationError({"lines": f"Line {number}: an amount is positive."})
    if lines and sum((line_amount for _, line_amount in lines), ZERO) != amount:
        total = sum((line_amount for _, line_amount in lines), ZERO)
        raise ValidationError({"lines": f"The lines add up to ${total:,.2f}, not ${amount:,.2f}."})


def _lock_active_award(award: Award) -> Award:
    locked = Award.objects.select_for_update().get(pk=award.pk)
    if locked.state != AwardState.ACTIVE:
        raise ValidationError({"award": "The award is closed out."})
    return locked


def _overspend_message(amount: Decimal, award: Award) -> str:
    return (
        f"${amount:,.2f} is more than the award's available ${award.available:,.2f} "
        f"(${award.amount:,.2f} awarded, ${award.paid:,.2f} paid, ${award.requested:,.2f} requested and "
        "not yet paid)."
    )


@transaction.atomic
def payment_record(
    *,
    award: Award,
    amount: Decimal,
    paid_on: dt.date,
    lines: Sequence[tuple[str, Decimal]] = (),
    note: str = "",
    user: Any = None,
) -> Payment:
    """Staff pay ``amount`` of an award directly (no request), drawn from its sources' shares in order;
    never more than what is available (the award row is locked; requests awaiting payment count against
    it; its and its sources' paid columns are checked by the database)."""
    if amount <= 0:
        raise ValidationError({"amount": "A payment is positive."})
    locked = _lock_active_award(award)
    if amount > locked.available:
        raise ValidationError({"amount": _overspend_message(amount, locked)})
    _lines_errors(amount, lines, required=False)
    payment = Payment(award=locked, amount=amount, paid_on=paid_on, note=note, recorded_by=user)
    _save(payment)
    for category, line_amount in lines:
        PaymentLine.objects.create(payment=payment, category=category, amount=line_amount)
    left = amount
    try:
        with transaction.atomic():
            for share in AwardFunding.objects.select_for_update().filter(award=locked).order_by("pk"):
                take = min(left, share.amount - share.paid - share.requested)
                if take <= 0:
                    continue
                AwardFunding.objects.filter(pk=share.pk).update(paid=F("paid") + take)
                FundingSource.objects.filter(pk=share.source_id).update(paid=F("paid") + take)
                left -= take
            Award.objects.filter(pk=locked.pk).update(paid=F("paid") + amount)
    except IntegrityError:
        raise ValidationError(
            {"amount": "The award's remainder changed meanwhile; the payment would overspend it."}
        ) from None
    if left:
        raise ValidationError({"amount": "The award's funding shares cannot carry this payment."})
    return payment


# Payment requests: requested -> approved -> paid, or declined ---------------------------------------


@transaction.atomic
def payment_request_create(
    *,
    award: Award,
    amount: Decimal,
    lines: Sequence[tuple[str, Decimal]],
    user: Any = None,
    note: str = "",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> PaymentRequest:
    """A reimbursement request with its expenditure lines by category. Its amount is held against the
    award and its sources' shares at once (``requested`` columns, in share order), so requests waiting for
    approval can never add up to more than the award or a source; refused (``amount``) when they would."""
    if amount <= 0:
        raise ValidationError({"amount": "A payment request is positive."})
    _lines_errors(amount, lines, required=True)
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": "The period ends on or after it starts."})
    locked = _lock_active_award(award)
    if amount > locked.available:
        raise ValidationError({"amount": _overspend_message(amount, locked)})
    request = PaymentRequest(
        award=locked,
        amount=amount,
        note=note,
        requested_by=user,
        period_start=period_start,
        period_end=period_end,
    )
    _save(request)
    for category, line_amount in lines:
        PaymentRequestLine.objects.create(request=request, category=category, amount=line_amount)
    left = amount
    try:
        with transaction.atomic():
            for share in AwardFunding.objects.select_for_update().filter(award=locked).order_by("pk"):
                take = min(left, share.amount - share.paid - share.requested)
                if take <= 0:
                    continue
                PaymentRequestDraw.objects.create(request=request, funding=share, amount=take)
                AwardFunding.objects.filter(pk=share.pk).update(requested=F("requested") + take)
                FundingSource.objects.filter(pk=share.source_id).update(requested=F("requested") + take)
                left -= take
            if left:
                raise ValidationError({"amount": "The award's funding shares cannot carry this request."})
            Award.objects.filter(pk=locked.pk).update(requested=F("requested") + amount)
    except IntegrityError:
        raise ValidationError(
            {
                "amount": "The award's or a funding source's balance changed meanwhile; the request would "
                "overspend it."
            }
        ) from None
    return request


def _lock_request(request: PaymentRequest, *states: str, verb: str) -> PaymentRequest:
    locked = PaymentRequest.objects.select_for_update().select_related("award").get(pk=request.pk)
    if locked.state not in states:
        raise ValidationError(
            {"state": f"The request is {locked.get_state_display().lower()}: it cannot be {verb}."}
        )
    return locked


def _release(request: PaymentRequest, *, pay: bool) -> None:
    """Move a request's held amount off ``requested`` (and onto ``paid`` when ``pay``), share by share."""
    Award.objects.select_for_update().filter(pk=request.award_id).first()
    for draw in request.draws.select_related("funding").order_by("funding_id"):
        moved = {"requested": F("requested") - draw.amount}
        if pay:
            moved["paid"] = F("paid") + draw.amount
        AwardFunding.objects.filter(pk=draw.funding_id).update(**moved)
        FundingSource.objects.filter(pk=draw.funding.source_id).update(**moved)
    moved = {"requested": F("requested") - request.amount}
    if pay:
        moved["paid"] = F("paid") + request.amount
    Award.objects.filter(pk=request.award_id).update(**moved)


@transaction.atomic
def payment_request_approve(*, request: PaymentRequest, user: Any = None) -> PaymentRequest:
    locked = _lock_request(request, PaymentRequestState.PENDING, verb="approved")
    locked.state = PaymentRequestState.APPROVED
    locked.decided_by, locked.decided_at = user, timezone.now()
    locked.save()
    return locked


@transaction.atomic
def payment_request_decline(*, request: PaymentRequest, reason: str, user: Any = None) -> PaymentRequest:
    """Declined (with the reason): its held amount goes back to the award's and sources' balances."""
    if not reason.strip():
        raise ValidationError({"decline_reason": "Say why the request is declined."})
    locked = _lock_request(
        request, PaymentRequestState.PENDING, PaymentRequestState.APPROVED, verb="declined"
    )
    _release(locked, pay=False)
    locked.state = PaymentRequestState.DECLINED
    locked.decline_reason = reason.strip()
    locked.decided_by, locked.decided_at = user, timezone.now()
    locked.save()
    notify(
        users=[locked.requested_by],
        subject=f"Payment request of ${locked.amount:,.2f} declined",
        body=locked.decline_reason,
    )
    return locked


@transaction.atomic
def payment_request_pay(*, request: PaymentRequest, paid_on: dt.date, user: Any = None) -> PaymentRequest:
    """An approved request paid: a ``Payment`` with its lines, the held amount moved to paid."""
    locked = _lock_request(request, PaymentRequestState.APPROVED, verb="paid")
    payment = Payment(
        award_id=locked.award_id, amount=locked.amount, paid_on=paid_on, note=locked.note, recorded_by=user
    )
    _save(payment)
    for line in locked.lines.all():
        PaymentLine.objects.create(payment=payment, category=line.category, amount=line.amount)
    _release(locked, pay=True)
    locked.state = PaymentRequestState.PAID
    locked.payment = payment
    locked.save()
    notify(
        users=[locked.requested_by],
        subject=f"Payment request of ${locked.amount:,.2f} paid",
        body=f"Paid on {paid_on}.",
    )
    return locked


# Closeout, schedule, amendments ------------------------------------------------------------------------


@transaction.atomic
def award_close(*, award: Award, on: dt.date | None = None) -> Award:
    """Close the award out: no request may be waiting; what was not paid goes back to its sources (their
    ``committed`` falls by each share's unpaid part, kept on the share as ``released``)."""
    locked = _lock_active_award(award)
    if locked.requested:
        raise ValidationError(
            {
                "award": f"${locked.requested:,.2f} of payment requests await a decision: pay or "
                "decline them first."
            }
        )
    shares = list(AwardFunding.objects.select_for_update().filter(award=locked).order_by("source_id"))
    for source in (
        FundingSource.objects.select_for_update()
        .filter(pk__in=[share.source_id for share in shares])
        .order_by("pk")
    ):
        unpaid = sum((share.amount - share.paid for share in shares if share.source_id == source.pk), ZERO)
        FundingSource.objects.filter(pk=source.pk).update(committed=F("committed") - unpaid)
    for share in shares:
        AwardFunding.objects.filter(pk=share.pk).update(released=F("amount") - F("paid"))
    locked.state = AwardState.CLOSED
    locked.returned = locked.amount - locked.paid
    locked.closed_on = on or timezone.localdate()
    locked.save()
    return locked


REPORT_DUE_DAYS: Final = 30
"""A quarterly progress report is due this many days after its quarter ends."""


def quarterly_periods(starts_on: dt.date, ends_on: dt.date) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(period start, period end, due date) for each calendar quarter the period touches, clipped to it."""
    periods = []
    quarter_start = dt.date(starts_on.year, 3 * ((starts_on.month - 1) // 3) + 1, 1)
    while quarter_start <= ends_on:
        month = quarter_start.month + 3
        next_start = dt.date(quarter_start.year + (month > 12), (month - 1) % 12 + 1, 1)
        quarter_end = next_start - dt.timedelta(days=1)
        periods.append(
            (
                max(quarter_start, starts_on),
                min(quarter_end, ends_on),
                quarter_end + dt.timedelta(days=REPORT_DUE_DAYS),
            )
        )
        quarter_start = next_start
    return periods


def _write_report_schedule(award: Award) -> None:
    award.reports_due.all().delete()
    ReportDue.objects.bulk_create(
        ReportDue(award=award, period_start=start, period_end=end, due_on=due)
        for start, end, due in quarterly_periods(award.starts_on, award.ends_on)
    )


@transaction.atomic
def milestone_add(*, award: Award, name: str, due_on: dt.date) -> Milestone:
    if not award.starts_on <= due_on <= award.ends_on:
        raise ValidationError(
            {"due_on": f"A milestone falls in the award's period ({award.starts_on} to {award.ends_on})."}
        )
    milestone = Milestone(award=award, name=name.strip(), due_on=due_on)
    _save(milestone)
    return milestone


@transaction.atomic
def amendment_create(
    *,
    award: Award,
    reason: str,
    new_amount: Decimal | None = None,
    new_ends_on: dt.date | None = None,
    user: Any = None,
) -> Amendment:
    """Amend an award: a longer or shorter period, or a smaller amount (what is given back returns to the
    sources, last share first; never below what is paid or requested). Kept as a record with its reason;
    the reporting schedule follows the new period. A larger amount is a new award (not amended here)."""
    if not reason.strip():
        raise ValidationError({"reason": "An amendment says why."})
    locked = _lock_active_award(award)
    amount = locked.amount if new_amount is None else new_amount
    ends_on = locked.ends_on if new_ends_on is None else new_ends_on
    if amount > locked.amount:
        raise ValidationError({"new_amount": "An amendment may reduce the amount, not raise it."})
    if amount < locked.paid + locked.requested:
        raise ValidationError(
            {"new_amount": f"${locked.paid + locked.requested:,.2f} is paid or requested already."}
        )
    if ends_on < locked.starts_on:
        raise ValidationError({"new_ends_on": "The award ends after it starts."})
    amendment = Amendment(
        award=locked,
        old_amount=locked.amount,
        new_amount=amount,
        old_ends_on=locked.ends_on,
        new_ends_on=ends_on,
        reason=reason.strip(),
        made_by=user,
    )
    _save(amendment)
    cut = locked.amount - amount
    shares = list(AwardFunding.objects.select_for_update().filter(award=locked).order_by("-pk"))
    FundingSource.objects.select_for_update().filter(pk__in=[s.source_id for s in shares]).order_by(
        "pk"
    ).first()
    for share in shares:
        take = min(cut, share.amount - share.paid - share.requested)
        if take <= 0:
            continue
        share.amount -= take
        if share.amount == 0:
            share.delete()
        else:
            share.save(update_fields=["amount"])
        FundingSource.objects.filter(pk=share.source_id).update(committed=F("committed") - take)
        cut -= take
    locked.amount, locked.ends_on = amount, ends_on
    locked.save()
    if new_ends_on is not None:
        _write_report_schedule(locked)
    return amendment


# Application decisions through the state machine --------------------------------------------------------


def _move(application: Application, name: str, user: Any) -> Application:
    moved = _transition(application, name, user)
    if name == "decline":
        notify(
            users=conveners_of(moved.partnership.convener_id),
            subject=f"Decision: {moved.partnership} in {moved.round}",
            body="The application is not funded in this round. The decision letter is on the grants pages.",
        )
    return moved


def _transition(application: Application, name: str, user: Any) -> Application:
    locked = _lock_application(application)
    method = getattr(locked, name)
    if not can_proceed(method):
        raise ValidationError(
            {"state": f"The application is {locked.get_state_display().lower()}: it cannot be {name}ed."}
        )
    if user is not None and not has_transition_perm(method, user):
        raise PermissionDenied(f"{user} may not {name} this application.")
    method()
    locked.save()
    return locked


@transaction.atomic
def application_recommend(*, application: Application, user: Any = None) -> Application:
    return _move(application, "recommend", user)


@transaction.atomic
def application_decline(*, application: Application, user: Any = None) -> Application:
    return _move(application, "decline", user)


@transaction.atomic
def application_withdraw(*, application: Application, user: Any = None) -> Application:
    return _move(application, "withdraw", user)


@transaction.atomic
def round_recommend(*, grant_round: Round, user: Any = None) -> Any:
    """Accept the round's funding recommendation: the applications it funds move to "recommended" (through
    the state machine); the rest stay in review. Returns the recommendation (``grants.recommend``)."""
    from sectorwise.grants.selectors import round_recommendation

    if grant_round.state not in (RoundState.IN_REVIEW, RoundState.REVIEW_CLOSED):
        raise ValidationError({"round": "Only a round closed to applications is recommended."})
    recommendation = round_recommendation(grant_round=grant_round)
    for line in recommendation.funded:
        application = Application.objects.get(pk=line.candidate.application_id)
        if application.state == ApplicationState.IN_REVIEW:
            _move(application, "recommend", user)
    return recommendation


# Attachments ---------------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, application: Application, kind: str, file_name: str, data: bytes, user: Any = None, vintage: str = ""
) -> Attachment:
    """Attach a file to a draft: its type told by its content (PDF, DOCX, XLSX, PNG, JPEG), at most
    ``files.MAX_ATTACHMENT_BYTES``."""
    locked = _lock_application(application)
    _refuse_unless_draft(locked)
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    try:
        content_type = sniff(data)
    except RefusedFile as refused:
        raise ValidationError({"file": str(refused)}) from None
    attachment = Attachment(
        application=locked,
        kind=kind,
        file_name=(file_name.strip() or "attachment")[-200:],
        content_type=content_type,
        file_size=len(data),
        content=data,
        vintage=vintage.strip(),
        uploaded_by=user,
    )
    _save(attachment)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment) -> None:
    locked = _lock_application(attachment.application)
    _refuse_unless_draft(locked)
    attachment.delete()


@transaction.atomic
def notification_preference_set(*, user: Any, daily_digest: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    preference.daily_digest = daily_digest
    preference.save()
    return preference


@transaction.atomic
def application_generate_assessment(*, application: Application, user: Any = None) -> Attachment:
    """Generate the partnership's industry assessment (``grants.assessment``: the ``sectorwise lmi
    assessment`` report for its region and target industries) and attach it to the draft with its data
    vintage, replacing an earlier generated one."""
    from sectorwise.grants.assessment import generate_assessment

    locked = _lock_application(application)
    _refuse_unless_draft(locked)
    generated = generate_assessment(partnership=locked.partnership)
    locked.attachments.filter(kind=AttachmentKind.INDUSTRY_ASSESSMENT, file_name=generated.file_name).delete()
    return attachment_add(
        application=locked,
        kind=AttachmentKind.INDUSTRY_ASSESSMENT,
        file_name=generated.file_name,
        data=generated.pdf,
        user=user,
        vintage=generated.vintage,
    )
