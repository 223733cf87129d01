"""Writes of the surveys app (``<entity>_<action>``, keyword-only, each its own transaction).

One-use links: ``invitations_send`` makes a token per invitation with ``secrets.token_urlsafe(32)`` (256
random bits), puts it only into the e-mail's link and stores its SHA-256 (``token_hash``). A link works
while the survey is open, before the invitation's ``expires_at`` (the end of the closing day) and until a
response is saved. ``response_submit`` claims the invitation with one conditional UPDATE (``used_at IS
NULL``) inside the transaction that writes the response: of two requests with the same token at the same
time exactly one updates the row (PostgreSQL re-checks the condition after the first commits; SQLite
serialises writers), the other gets ``LinkUnusable``; the response's unique one-to-one to its invitation is
the database's last word.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from sectorwise.core.services import refuse_nulls
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.surveys.instrument import NUMBER_QUESTIONS, SHARE_QUESTIONS
from sectorwise.surveys.models import (
    CustomAnswer,
    CustomKind,
    HardToFillOccupation,
    Invitation,
    Response,
    SkillGap,
    Survey,
    SurveyQuestion,
    SurveyStatus,
)
from sectorwise.surveys.soc import soc_code_error

SURVEY_FIELDS: Final = ("title", "period", "opens_on", "closes_on", "introduction")
TOKEN_BYTES: Final = 32
STANDARD_ANSWER_FIELDS: Final = (
    *tuple(q.key for q in (*SHARE_QUESTIONS, *NUMBER_QUESTIONS)),
    "other_skill_gaps",
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token and its hash (only the hash is stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def link_expiry(closes_on: dt.date) -> dt.datetime:
    """The end of the closing day in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(closes_on + dt.timedelta(days=1), dt.time.min))


# --- Surveys and their questions ----------------------------------------------------------------------


@transaction.atomic
def survey_create(*, partnership: SectorPartnership, values: Mapping[str, Any], user: Any = None) -> Survey:
    survey = Survey(partnership=partnership, created_by=user if getattr(user, "pk", None) else None)
    for name in SURVEY_FIELDS:
        if name in values:
            setattr(survey, name, values[name])
    refuse_nulls(survey)
    survey.title = survey.title.strip()
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, values: Mapping[str, Any]) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError("The survey is closed: it cannot be changed.")
    if survey.status == SurveyStatus.OPEN and "opens_on" in values and values["opens_on"] != survey.opens_on:
        raise ValidationError({"opens_on": "The survey is open: its opening date cannot change."})
    for name in SURVEY_FIELDS:
        if name in values:
            setattr(survey, name, values[name])
    refuse_nulls(survey)
    survey.title = survey.title.strip()
    survey.full_clean()
    survey.save()
    # A new closing date moves the expiry of every link not used yet.
    for invitation in survey.invitations.filter(used_at__isnull=True):
        invitation.expires_at = link_expiry(survey.closes_on)
        invitation.save(update_fields=["expires_at", "updated_at"])
    return survey


@transaction.atomic
def question_add(
    *, survey: Survey, text: str, kind: str, choices: str = "", required: bool = False
) -> SurveyQuestion:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError("Questions are added while the survey is a draft, before anyone answers.")
    position = survey.questions.count() + 1
    question = SurveyQuestion(
        survey=survey,
        position=position,
        text=(text or "").strip(),
        kind=kind,
        choices=choices,
        required=required,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def survey_open(*, survey: Survey, today: dt.date | None = None) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    today = today or timezone.localdate()
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(f"The survey is {survey.get_status_display().lower()}: only a draft opens.")
    if survey.closes_on < today:
        raise ValidationError({"closes_on": "The closing date has passed: set a later one first."})
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status", "updated_at"])
    return survey


@transaction.atomic
def survey_close(*, survey: Survey) -> Survey:
    """Closes the survey: every link not used yet stops working."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError("Only an open survey closes.")
    survey.status = SurveyStatus.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    return survey


# --- Invitations ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    invited: list[Invitation]
    skipped: list[str]
    """Contacts left out, with the reason (already invited, no e-mail, not an employer contact)."""
    failed: list[Invitation]
    """Invitations whose e-mail could not be sent (``sent_at`` stays empty; they can be sent again)."""


def _invitation_message(*, survey: Survey, invitation: Invitation, link: str) -> EmailMessage:
    body = (
        f"Dear {invitation.person.first_name} {invitation.person.last_name},\n\n"
        f"{survey.partnership.name} asks {invitation.organization.name} to answer a short employer survey: "
        f"{survey.title}.\n\n"
        f"Answer here (no account needed; the link works once and until {survey.closes_on:%B %-d, %Y}):\n"
        f"{link}\n\n"
        "Your answers are reported only as totals over all employers, never by name.\n"
    )
    return EmailMessage(
        subject=f"Employer survey: {survey.title}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )


def _send(
    *, survey: Survey, pairs: list[tuple[Invitation, str]], link_for: Callable[[str], str]
) -> list[Invitation]:
    """Sends each invitation's e-mail; marks the sent ones; returns those that failed."""
    failed = []
    connection = get_connection()
    for invitation, token in pairs:
        try:
            sent = connection.send_messages(
                [_invitation_message(survey=survey, invitation=invitation, link=link_for(token))]
            )
        except OSError:
            sent = 0
        if sent:
            invitation.sent_at = timezone.now()
            invitation.save(update_fields=["sent_at", "updated_at"])
        else:
            failed.append(invitation)
    return failed


def invitations_send(
    *, survey: Survey, person_ids: Iterable[int], link_for: Callable[[str], str]
) -> SendResult:
    """Invites the chosen employer contacts of the survey's partnership and e-mails each a one-use link
    (``link_for(token)`` makes the absolute URL). The invitations are written in one transaction; the
    e-mails go after it, and one that fails leaves its invitation unsent, to be sent again."""
    from sectorwise.surveys.selectors import employer_contacts

    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise ValidationError("Open the survey before sending invitations.")
        contacts = {
            contact.person.pk: contact for contact in employer_contacts(partnership=survey.partnership)
        }
        already = set(survey.invitations.values_list("person_id", flat=True))
        pairs: list[tuple[Invitation, str]] = []
        skipped: list[str] = []
        for person_id in dict.fromkeys(person_ids):
            contact = contacts.get(person_id)
            if contact is None:
                skipped.append(
                    f"Person {person_id}: not a contact of an employer member of this partnership."
                )
                continue
            if person_id in already:
                skipped.append(f"{contact.person}: already invited.")
                continue
            if not contact.person.email:
                skipped.append(f"{contact.person}: no e-mail address.")
                continue
            token, hashed = new_token()
            invitation = Invitation.objects.create(
                survey=survey,
                person=contact.person,
                organization=contact.organization,
                email=contact.person.email,
                token_hash=hashed,
                expires_at=link_expiry(survey.closes_on),
            )
            pairs.append((invitation, token))
    failed = _send(survey=survey, pairs=pairs, link_for=link_for)
    return SendResult(invited=[invitation for invitation, _ in pairs], skipped=skipped, failed=failed)


def invitation_resend(*, invitation: Invitation, link_for: Callable[[str], str]) -> Invitation:
    """A new link for an invitation not answered yet (the old link stops working), e-mailed again."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
        if invitation.used_at is not None:
            raise ValidationError("This contact has already answered.")
        if invitation.survey.status != SurveyStatus.OPEN:
            raise ValidationError("The survey is not open.")
        token, invitation.token_hash = new_token()
        invitation.expires_at = link_expiry(invitation.survey.closes_on)
        invitation.save(update_fields=["token_hash", "expires_at", "updated_at"])
    failed = _send(survey=invitation.survey, pairs=[(invitation, token)], link_for=link_for)
    if failed:
        raise ValidationError("The e-mail could not be sent; try again later.")
    return invitation


# --- Answering -----------------------------------------------------------------------------------------


class LinkState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    CLOSED = "closed"
    NOT_OPEN = "not_open"


class LinkUnusable(Exception):
    def __init__(self, state: LinkState) -> None:
        super().__init__(state.value)
        self.state = state


def link_state(invitation: Invitation | None, *, now: dt.datetime | None = None) -> LinkState:
    if invitation is None:
        return LinkState.UNKNOWN
    now = now or timezone.now()
    if invitation.used_at is not None:
        return LinkState.USED
    if invitation.survey.status == SurveyStatus.CLOSED:
        return LinkState.CLOSED
    if invitation.survey.status != SurveyStatus.OPEN:
        return LinkState.NOT_OPEN
    if now >= invitation.expires_at:
        return LinkState.EXPIRED
    return LinkState.VALID


def invitation_for_token(*, token: str) -> tuple[Invitation | None, LinkState]:
    """The invitation a link's token belongs to (looked up by the token's hash) and whether it still
    works."""
    if not token or len(token) > 100:
        return None, LinkState.UNKNOWN
    invitation = (
        Invitation.objects.select_related("survey", "survey__partnership", "organization")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return invitation, link_state(invitation)


@dataclass(frozen=True)
class Answers:
    standard: Mapping[str, Any]
    """Response field -> value (blank/None for unanswered)."""
    hard_to_fill: list[str]
    skill_gaps: list[str]
    custom: Mapping[int, Any]
    """SurveyQuestion id -> value (str for text/choice, Decimal or int for number/scale)."""


def _check_answers(survey: Survey, answers: Answers) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for code in answers.hard_to_fill:
        error = soc_code_error(code)
        if error:
            errors.setdefault("hard_to_fill", []).append(error)
    for question in survey.questions.all():
        value = answers.custom.get(question.pk)
        name = f"q{question.pk}"
        if value in (None, ""):
            if question.required:
                errors[name] = ["This question needs an answer."]
            continue
        if question.kind == CustomKind.CHOICE and value not in question.options:
            errors[name] = ["Choose one of the options."]
        if question.kind == CustomKind.SCALE and value not in (1, 2, 3, 4, 5):
            errors[name] = ["Choose a point from 1 to 5."]
    return errors


def response_submit(*, invitation: Invitation, answers: Answers, now: dt.datetime | None = None) -> Response:
    """Saves one response through an invitation's link, once. ``invitation`` may be stale (loaded when the
    page was opened): the claim below re-reads the row. Raises ``LinkUnusable`` when the link was used (by
    this request's twin too), expired or its survey closed; ``ValidationError`` for bad answers (nothing
    saved, the link still works)."""
    now = now or timezone.now()
    survey = Survey.objects.get(pk=invitation.survey_id)
    errors = _check_answers(survey, answers)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            fresh = Invitation.objects.select_related("survey").get(pk=invitation.pk)
            state = link_state(fresh, now=now)
            if state is not LinkState.VALID:
                raise LinkUnusable(state)
            claimed = Invitation.objects.filter(
                pk=invitation.pk, used_at__isnull=True, expires_at__gt=now
            ).update(used_at=now, updated_at=now)
            if claimed != 1:
                raise LinkUnusable(LinkState.USED)
            response = Response(survey=survey, invitation=fresh, submitted_at=now)
            for name in STANDARD_ANSWER_FIELDS:
                value = answers.standard.get(name)
                setattr(response, name, "" if value is None and name not in _NULLABLE else value)
            response.full_clean(exclude=["invitation"])
            response.save()
            HardToFillOccupation.objects.bulk_create(
                HardToFillOccupation(response=response, soc_code=code)
                for code in dict.fromkeys(answers.hard_to_fill)
            )
            SkillGap.objects.bulk_create(
                SkillGap(response=response, skill=skill) for skill in dict.fromkeys(answers.skill_gaps)
            )
            CustomAnswer.objects.bulk_create(_custom_answers(survey, response, answers.custom))
            fresh.used_at = now
            fresh.save(update_fields=["used_at", "updated_at"])  # the history's record of the use
    except IntegrityError:  # the unique one-to-one: a twin that got past the claim (should not happen)
        raise LinkUnusable(LinkState.USED) from None
    return response


_NULLABLE: Final = frozenset({"collaboration_value", "time_to_fill_days", "planned_hires"})


def _custom_answers(survey: Survey, response: Response, custom: Mapping[int, Any]) -> list[CustomAnswer]:
    rows = []
    for question in survey.questions.all():
        value = custom.get(question.pk)
        if value in (None, ""):
            continue
        if question.kind in (CustomKind.NUMBER, CustomKind.SCALE):
            rows.append(CustomAnswer(response=response, question=question, number=Decimal(str(value))))
        else:
            rows.append(CustomAnswer(response=response, question=question, text=str(value)))
    return rows
