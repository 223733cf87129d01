"""Import of quarterly progress reports (CSV/XLSX) on the shared engine (``core.tabular``): all or nothing,
every bad row reported with its row number and field, a history record per change.

A row is one partnership's quarter. Its counts are checked by the same rules as the form (the model's field
validators and ``progress_counts_error``: completed ≤ enrolled, credentialed ≤ completed, placed ≤
completed, a wage needs someone placed). A quarter without a report gets a new draft (due date from the
award's schedule or the default rule, unless the row gives one); a quarter whose latest revision is a draft
updates that draft with the columns present; a quarter whose latest revision was submitted is refused
(submitted reports are locked: amend them on the page). Imported reports stay drafts: submitting is a
person's act on the page.

Two importers: ``PROGRESS_REPORTS`` (kind ``progress_reports``, registered: rows name any partnership; state
staff, the command line) and ``PartnershipProgressImporter(partnership_id=...)`` for a partnership's own
page, where ``partnership_id`` may be left out and any other partnership is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Final

from django.core.exceptions import ValidationError
from django.db.models import Max

from sectorwise.core.tabular.engine import (
    FieldChecks,
    ImportResult,
    Progress,
    RowError,
    TableImporter,
    WritePlan,
    date_or_none,
    register_importer,
    report_progress,
    validation_errors,
)
from sectorwise.outcomes import schedule
from sectorwise.outcomes.importing import _partnership, _partnership_ids, integer_or_none, money_or_none
from sectorwise.outcomes.models import CustomIndicator, IndicatorValue, ProgressReport, ReportStatus
from sectorwise.outcomes.schedule import due_on_from

PROGRESS_KIND: Final = "progress_reports"
COUNT_COLUMNS: Final = (
    "employers_engaged",
    "workers_enrolled",
    "workers_completed",
    "workers_credentialed",
    "workers_placed",
)
PROGRESS_COLUMNS: Final = (
    "partnership_id",
    "year",
    "quarter",
    "due_on",
    *COUNT_COLUMNS,
    "wages_at_placement",
    "narrative",
)


class ProgressReportImporter(TableImporter):
    """Draft progress reports, created or updated by partnership and quarter."""

    kind = PROGRESS_KIND
    columns: ClassVar[tuple[str, ...]] = PROGRESS_COLUMNS
    required: ClassVar[frozenset[str]] = frozenset({"partnership_id", "year", "quarter"})
    multiline = frozenset({"narrative"})
    only_partnership: int | None = None
    indicator_columns: dict[str, int] = {}
    """``indicator: <name>`` (lower-cased, as the reader gives headers) -> the custom indicator's id."""

    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        if self.only_partnership is not None:
            for _, values in records:
                if not values.get("partnership_id", "").strip():
                    values["partnership_id"] = str(self.only_partnership)
        self._pending: list[tuple[ProgressReport, dict[int, Decimal | None]]] = []
        known = _partnership_ids(records)
        if self.only_partnership is not None:
            known &= {self.only_partnership}
        latest = _latest_reports(known)
        schedules: dict[int, list[Any]] = {}
        checks = FieldChecks(ProgressReport)
        seen: dict[tuple[int, int, int], int] = {}
        to_create: list[ProgressReport] = []
        to_update: list[ProgressReport] = []
        total = 2 * len(records)
        for done, (row, values) in enumerate(records, start=1):
            report_progress(progress, done, total)
            errors = self.control_errors(row, values)
            partnership_id = self._partnership(row, values, known, errors)
            year = integer_or_none(row, values.get("year", ""), errors, "year")
            quarter = integer_or_none(row, values.get("quarter", ""), errors, "quarter")
            if year is None and not values.get("year", "").strip():
                errors.append(RowError(row, "year", "required: the report's year, e.g. 2025"))
            if quarter is None and not values.get("quarter", "").strip():
                errors.append(RowError(row, "quarter", "required: the quarter, 1 to 4"))
            elif quarter is not None and quarter not in (1, 2, 3, 4):
                errors.append(RowError(row, "quarter", f"{quarter} is not a quarter (1, 2, 3 or 4)"))
            if errors or partnership_id is None or year is None or quarter is None:
                result.errors += errors
                continue
            key = (partnership_id, year, quarter)
            if key in seen:
                result.errors.append(
                    RowError(row, "quarter", f"{year} Q{quarter} appears again (first on row {seen[key]})")
                )
                continue
            seen[key] = row
            report = latest.get(key)
            if report is not None and report.status == ReportStatus.SUBMITTED:
                revision = f" (amendment {report.revision})" if report.revision else ""
                result.errors.append(
                    RowError(
                        row,
                        "quarter",
                        f"the report for {year} Q{quarter}{revision} was submitted and is locked: amend it "
                        "on the progress page",
                    )
                )
                continue
            if report is None:
                report = ProgressReport(partnership_id=partnership_id, year=year, quarter=quarter)
            errors += _apply(row, report, values)
            indicator_values = {
                self.indicator_columns[column]: money_or_none(row, text, errors, column)
                for column, text in values.items()
                if column in self.indicator_columns
            }
            if not errors and report.due_on is None:
                if partnership_id not in schedules:
                    schedules[partnership_id] = schedule.award_due_dates(partnership_id=partnership_id)
                report.due_on = due_on_from(schedules[partnership_id], year, quarter)
            if not errors:
                errors += _rule_errors(row, report, checks)
            result.errors += errors
            if not errors:
                (to_update if report.pk is not None else to_create).append(report)
                if indicator_values:
                    self._pending.append((report, indicator_values))
        fields = [column for column in PROGRESS_COLUMNS[3:] if column in header]
        if "due_on" not in fields:
            fields.append("due_on")
        return WritePlan(to_create=to_create, to_update=to_update, update_fields=fields)

    def _partnership(
        self, row: int, values: dict[str, str], known: set[int], errors: list[RowError]
    ) -> int | None:
        if self.only_partnership is not None:
            text = values.get("partnership_id", "").strip()
            if text != str(self.only_partnership):
                errors.append(
                    RowError(
                        row,
                        "partnership_id",
                        f"this page imports partnership {self.only_partnership}'s reports only (leave the "
                        "column empty or give its id)",
                    )
                )
                return None
        return _partnership(row, values, known, errors)

    def written(self) -> None:
        """The custom indicators' values of the rows just written (their reports have ids now), inside the
        import's transaction; an empty cell removes a draft's value."""
        for report, values in self._pending:
            for indicator_id, amount in values.items():
                if amount is None:
                    for value in IndicatorValue.objects.filter(report=report, indicator_id=indicator_id):
                        value.delete()
                else:
                    IndicatorValue.objects.update_or_create(
                        report=report, indicator_id=indicator_id, defaults={"value": amount}
                    )
        self._pending = []


class PartnershipProgressImporter(ProgressReportImporter):
    """One partnership's reports, from its own page: the ``partnership_id`` column is optional, and a column
    ``indicator: <name>`` per custom indicator of the partnership takes that quarter's value."""

    required: ClassVar[frozenset[str]] = frozenset({"year", "quarter"})

    def __init__(self, *, partnership_id: int) -> None:
        self.only_partnership = partnership_id
        self.indicator_columns = {
            indicator_column(name): pk
            for pk, name in CustomIndicator.objects.filter(partnership_id=partnership_id).values_list(
                "pk", "name"
            )
        }
        self.columns = (*PROGRESS_COLUMNS, *self.indicator_columns)  # type: ignore[misc]  # per-run columns


def indicator_column(name: str) -> str:
    """The import column of a custom indicator (headers are read lower-cased)."""
    return f"indicator: {name}".lower()


def _latest_reports(partnership_ids: set[int]) -> dict[tuple[int, int, int], ProgressReport]:
    """Each quarter's latest revision, by (partnership, year, quarter)."""
    if not partnership_ids:
        return {}
    tops = (
        ProgressReport.objects.filter(partnership_id__in=partnership_ids)
        .values("partnership_id", "year", "quarter")
        .annotate(top=Max("revision"))
    )
    wanted = {(top["partnership_id"], top["year"], top["quarter"], top["top"]) for top in tops}
    found = {}
    for report in ProgressReport.objects.filter(partnership_id__in=partnership_ids):
        if (report.partnership_id, report.year, report.quarter, report.revision) in wanted:
            found[(report.partnership_id, report.year, report.quarter)] = report
    return found


def _apply(row: int, report: ProgressReport, values: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    if "due_on" in values and values["due_on"].strip():
        report.due_on = date_or_none(row, values["due_on"], errors, "due_on")
    for column in COUNT_COLUMNS:
        if column in values:
            setattr(report, column, integer_or_none(row, values[column], errors, column) or 0)
    if "wages_at_placement" in values:
        report.wages_at_placement = money_or_none(
            row, values["wages_at_placement"], errors, "wages_at_placement"
        )
    if "narrative" in values:
        report.narrative = values["narrative"].strip()
    return errors


def _rule_errors(row: int, report: ProgressReport, checks: FieldChecks) -> list[RowError]:
    """The form's rules: each field's validators, then the counts' nesting (``progress_counts_error``)."""
    found = checks.errors(report)
    errors = [RowError(row, name, message) for name, messages in found.items() for message in messages]
    if not found:
        try:
            report.clean()
        except ValidationError as error:
            errors += validation_errors(row, error)
    return errors


def progress_import(
    *, filename: str, content: bytes, user: Any, partnership_id: int | None = None
) -> ImportResult:
    """Run a progress-report import in the request: any partnership's rows, or only ``partnership_id``'s."""
    importer = (
        PROGRESS_REPORTS
        if partnership_id is None
        else PartnershipProgressImporter(partnership_id=partnership_id)
    )
    return importer.run(filename=filename, content=content, user=user)


PROGRESS_REPORTS: Final = register_importer(ProgressReportImporter())
