"""Imports of participants and outcome observations (CSV/XLSX) on the shared engine: all or nothing, every
bad row reported with its row number and field, a history record per change.

``person_id`` is an SSN or state ID, with or without dashes. Each row's value is hashed as soon as the row is
read (``pii.person_key_of``) and removed from the row, so the raw number reaches no record, no history row
and no error: an identifier that cannot be hashed is reported by what is wrong with it ("not a valid SSN:
the middle two digits are 00"), never by its value. Participant files run in the request only, never as a
background job: a job stores the uploaded file in the database (``ImportJob.content``).

A participant is one person in one partnership: a row whose person is already a participant of that
partnership updates that participant (dates, demographics); an observation row names its participant by
``partnership_id`` and ``person_id`` and replaces the observation at the same timing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import ValidationError

from sectorwise.core.tabular.engine import (
    FieldChecks,
    ImportResult,
    Progress,
    RowError,
    TableImporter,
    WritePlan,
    date_or_none,
    id_or_none,
    register_importer,
    report_progress,
    validation_errors,
)
from sectorwise.core.tabular.engine import choice as _choice
from sectorwise.core.tabular.reader import DEFAULT_LIMITS, TableLimits
from sectorwise.evaluation.identifiers import InvalidIdentifier
from sectorwise.outcomes.models import (
    OutcomeObservation,
    Participant,
    RaceEthnicity,
    Sex,
    Timing,
)
from sectorwise.outcomes.pii import person_key_of
from sectorwise.outcomes.services import partnership_state_fips, poverty_status
from sectorwise.partnerships.models import SectorPartnership


class OutcomeImportKind(StrEnum):
    PARTICIPANTS = "participants"
    OBSERVATIONS = "observations"


PARTICIPANT_COLUMNS: Final = (
    "partnership_id",
    "person_id",
    "enrolled_on",
    "exited_on",
    "demographics_consent",
    "birth_year",
    "sex",
    "race_ethnicity",
    "low_income_at_entry",
    "barriers",
)
OBSERVATION_COLUMNS: Final = (
    "partnership_id",
    "person_id",
    "timing",
    "observed_on",
    "employed",
    "quarterly_earnings",
    "household_size",
    "household_income",
    "employer_health_insurance",
    "paid_sick_leave",
    "credential_attained",
)
_TRUE: Final = frozenset({"yes", "y", "true", "t", "1"})
_FALSE: Final = frozenset({"no", "n", "false", "f", "0"})


def boolean_or_none(row: int, text: str, errors: list[RowError], column: str) -> bool | None:
    value = text.strip().casefold()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    errors.append(RowError(row, column, f"{text!r} is not yes or no"))
    return None


def integer_or_none(row: int, text: str, errors: list[RowError], column: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdigit():
        errors.append(RowError(row, column, f"{text!r} is not a whole number"))
        return None
    return int(value)


def money_or_none(row: int, text: str, errors: list[RowError], column: str) -> Decimal | None:
    value = text.strip().replace(",", "").removeprefix("$")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        errors.append(RowError(row, column, f"{text!r} is not an amount of dollars"))
        return None
    if not amount.is_finite():
        errors.append(RowError(row, column, f"{text!r} is not an amount of dollars"))
        return None
    return amount


def _person_key(row: int, values: dict[str, str], errors: list[RowError]) -> str | None:
    """Hash the row's ``person_id`` and drop the raw value from the row."""
    raw = values.pop("person_id", "")
    if not raw.strip():
        errors.append(RowError(row, "person_id", "required: the participant's SSN or state ID"))
        return None
    try:
        return person_key_of(raw)
    except InvalidIdentifier as error:
        errors.append(RowError(row, "person_id", str(error)))
        return None
    finally:
        del raw


def _partnership_ids(records: list[tuple[int, dict[str, str]]]) -> set[int]:
    wanted = {
        int(values["partnership_id"]) for _, values in records if values.get("partnership_id", "").isdigit()
    }
    return set(SectorPartnership.objects.filter(pk__in=wanted).values_list("pk", flat=True))


def _partnership(row: int, values: dict[str, str], known: set[int], errors: list[RowError]) -> int | None:
    pk = id_or_none(row, values.get("partnership_id", ""), errors, column="partnership_id")
    if pk is None:
        if not values.get("partnership_id", "").strip():
            errors.append(RowError(row, "partnership_id", "required: the partnership's id"))
        return None
    if pk not in known:
        errors.append(RowError(row, "partnership_id", f"no partnership has id {pk}"))
        return None
    return pk


def _model_errors(
    row: int, instance: Any, checks: FieldChecks, *, skip: tuple[str, ...] = ()
) -> list[RowError]:
    found = checks.errors(instance, skip=skip)
    errors = [RowError(row, name, message) for name, messages in found.items() for message in messages]
    if not found:
        try:
            instance.clean()
        except ValidationError as error:
            errors += validation_errors(row, error)
    return errors


class ParticipantImporter(TableImporter):
    """Create participants, or update those already enrolled in the row's partnership."""

    kind = OutcomeImportKind.PARTICIPANTS
    columns = PARTICIPANT_COLUMNS
    required = frozenset({"partnership_id", "person_id", "enrolled_on"})

    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        known = _partnership_ids(records)
        existing = {
            (participant.partnership_id, participant.person_key): participant
            for participant in Participant.objects.filter(partnership_id__in=known)
        }
        checks = FieldChecks(Participant)
        seen: dict[tuple[int, str], int] = {}
        to_create: list[Participant] = []
        to_update: list[Participant] = []
        total = 2 * len(records)
        for done, (row, values) in enumerate(records, start=1):
            report_progress(progress, done, total)
            errors: list[RowError] = []
            person_key = _person_key(row, values, errors)  # first: the raw value leaves the row here
            errors += self.control_errors(row, values)
            partnership_id = _partnership(row, values, known, errors)
            if errors or person_key is None or partnership_id is None:
                result.errors += errors
                continue
            key = (partnership_id, person_key)
            if key in seen:
                errors.append(
                    RowError(row, "person_id", f"the same person appears again (first on row {seen[key]})")
                )
            seen.setdefault(key, row)
            participant = existing.get(key) or Participant(
                partnership_id=partnership_id, person_key=person_key
            )
            errors += _apply_participant(row, participant, values)
            if not errors:
                errors += _model_errors(row, participant, checks)
            result.errors += errors
            if not errors:
                (to_update if participant.pk is not None else to_create).append(participant)
        fields = [column for column in PARTICIPANT_COLUMNS[2:] if column in header]
        return WritePlan(to_create=to_create, to_update=to_update, update_fields=fields)


def _apply_participant(row: int, participant: Participant, values: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    if "enrolled_on" in values:
        enrolled = date_or_none(row, values["enrolled_on"], errors, "enrolled_on")
        if enrolled is None and not values["enrolled_on"].strip():
            errors.append(RowError(row, "enrolled_on", "required: the enrolment date (YYYY-MM-DD)"))
        participant.enrolled_on = enrolled  # type: ignore[assignment]  # None comes with a row error
    if "exited_on" in values:
        participant.exited_on = date_or_none(row, values["exited_on"], errors, "exited_on")
    if "demographics_consent" in values:
        participant.demographics_consent = bool(
            boolean_or_none(row, values["demographics_consent"], errors, "demographics_consent")
        )
    if "birth_year" in values:
        participant.birth_year = integer_or_none(row, values["birth_year"], errors, "birth_year")
    for column, choices in (("sex", Sex.choices), ("race_ethnicity", RaceEthnicity.choices)):
        if column in values:
            text = values[column].strip()
            stored = _choice(text, choices) if text else ""
            if stored is None:
                errors.append(
                    RowError(
                        row,
                        column,
                        f"{text!r} is not one of: {', '.join(str(label) for _, label in choices)}",
                    )
                )
            else:
                setattr(participant, column, stored)
    if "low_income_at_entry" in values:
        participant.low_income_at_entry = boolean_or_none(
            row, values["low_income_at_entry"], errors, "low_income_at_entry"
        )
    if "barriers" in values:
        participant.barriers = values["barriers"].strip()
    return errors


class ObservationImporter(TableImporter):
    """Outcome observations of participants already imported, named by partnership and person."""

    kind = OutcomeImportKind.OBSERVATIONS
    columns = OBSERVATION_COLUMNS
    required = frozenset({"partnership_id", "person_id", "timing", "observed_on"})

    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        known = _partnership_ids(records)
        participants = {
            (partnership_id, person_key): pk
            for pk, partnership_id, person_key in Participant.objects.filter(
                partnership_id__in=known
            ).values_list("pk", "partnership_id", "person_key")
        }
        existing = {
            (observation.participant_id, observation.timing): observation
            for observation in OutcomeObservation.objects.filter(participant__partnership_id__in=known)
        }
        states = {pk: partnership_state_fips(pk) for pk in known}
        checks = FieldChecks(OutcomeObservation)
        seen: dict[tuple[int, str], int] = {}
        to_create: list[OutcomeObservation] = []
        to_update: list[OutcomeObservation] = []
        total = 2 * len(records)
        for done, (row, values) in enumerate(records, start=1):
            report_progress(progress, done, total)
            errors: list[RowError] = []
            person_key = _person_key(row, values, errors)
            errors += self.control_errors(row, values)
            partnership_id = _partnership(row, values, known, errors)
            timing = _choice(values.get("timing", ""), Timing.choices)
            if timing is None:
                errors.append(
                    RowError(
                        row,
                        "timing",
                        f"{values.get('timing', '')!r} is not one of: {', '.join(t.value for t in Timing)}",
                    )
                )
            if errors or person_key is None or partnership_id is None or timing is None:
                result.errors += errors
                continue
            participant_id = participants.get((partnership_id, person_key))
            if participant_id is None:
                result.errors.append(
                    RowError(
                        row, "person_id", f"this person is not a participant of partnership {partnership_id}"
                    )
                )
                continue
            key = (participant_id, timing)
            if key in seen:
                errors.append(
                    RowError(
                        row, "timing", f"this person's {timing} appears again (first on row {seen[key]})"
                    )
                )
            seen.setdefault(key, row)
            observation = existing.get(key) or OutcomeObservation(
                participant_id=participant_id, timing=timing
            )
            errors += _apply_observation(row, observation, values)
            if not errors:
                errors += _model_errors(row, observation, checks)
            if not errors:
                observation.in_poverty = poverty_status(
                    income=observation.household_income,
                    household_size=observation.household_size,
                    observed_on=observation.observed_on,
                    state_fips=states[partnership_id],
                )
            result.errors += errors
            if not errors:
                (to_update if observation.pk is not None else to_create).append(observation)
        fields = [column for column in OBSERVATION_COLUMNS[4:] if column in header]
        fields += ["observed_on", "in_poverty"]
        return WritePlan(to_create=to_create, to_update=to_update, update_fields=fields)


def _apply_observation(row: int, observation: OutcomeObservation, values: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    observed = date_or_none(row, values.get("observed_on", ""), errors, "observed_on")
    if observed is None and not values.get("observed_on", "").strip():
        errors.append(RowError(row, "observed_on", "required: the date observed (YYYY-MM-DD)"))
    observation.observed_on = observed or dt.date.min
    for column in ("employed", "employer_health_insurance", "paid_sick_leave", "credential_attained"):
        if column in values:
            setattr(observation, column, boolean_or_none(row, values[column], errors, column))
    for column in ("quarterly_earnings", "household_income"):
        if column in values:
            setattr(observation, column, money_or_none(row, values[column], errors, column))
    if "household_size" in values:
        observation.household_size = integer_or_none(row, values["household_size"], errors, "household_size")
    return errors


PARTICIPANTS: Final = register_importer(ParticipantImporter())
OBSERVATIONS: Final = register_importer(ObservationImporter())
IMPORTERS: Final = {
    OutcomeImportKind.PARTICIPANTS: PARTICIPANTS,
    OutcomeImportKind.OBSERVATIONS: OBSERVATIONS,
}


def outcomes_import(*, kind: OutcomeImportKind, filename: str, content: bytes, user: Any) -> ImportResult:
    """Run one import in the request (never as a stored background job: the file holds raw identifiers)."""
    return IMPORTERS[kind].run(filename=filename, content=content, user=user)


class WageRecordImporter(TableImporter):
    """UI wage records (``person_id``, ``year``, ``quarter``, ``employer_id``, ``wages``): checked as whole
    columns and written in bulk by ``outcomes.wages`` (a state's file has millions of rows); ``plan`` runs
    the same checks for the engine's generic path."""

    kind = "wage_records"
    columns = ("person_id", "year", "quarter", "employer_id", "wages")
    required = frozenset(columns)

    def run(
        self,
        *,
        filename: str,
        content: bytes,
        user: Any,
        limits: TableLimits = DEFAULT_LIMITS,
        progress: Progress | None = None,
    ) -> ImportResult:
        from sectorwise.outcomes.wages import wage_records_import

        result = wage_records_import(filename=filename, content=content, user=user, limits=limits)
        if progress is not None:
            progress(2 * result.rows, 2 * result.rows)
        return result

    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        from sectorwise.outcomes.wages import (
            check_wage_columns,
            columns_from_records,
            wage_records_from_frame,
        )

        checked = check_wage_columns(columns_from_records(header, records))
        result.errors += checked.errors
        return WritePlan(to_create=wage_records_from_frame(checked.frame))


WAGE_RECORDS: Final = register_importer(WageRecordImporter())


class BulkParticipantImporter(ParticipantImporter):
    """``ParticipantImporter``'s rules and messages without a model instance per row
    (``outcomes.participant_bulk``: 100,000 rows in seconds); the pages and ``sectorwise import`` use it,
    the reference stays for the equivalence test."""

    def run(
        self,
        *,
        filename: str,
        content: bytes,
        user: Any,
        limits: TableLimits = DEFAULT_LIMITS,
        progress: Progress | None = None,
    ) -> ImportResult:
        from sectorwise.outcomes.participant_bulk import participants_import

        result = participants_import(filename=filename, content=content, user=user, limits=limits)
        if progress is not None:
            progress(2 * result.rows, 2 * result.rows)
        return result


REFERENCE_PARTICIPANTS: Final = PARTICIPANTS
IMPORTERS[OutcomeImportKind.PARTICIPANTS] = register_importer(BulkParticipantImporter())
