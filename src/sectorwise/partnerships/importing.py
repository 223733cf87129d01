"""Import and export of organisations and memberships as CSV or XLSX.

Two ``TableImporter``s on the engine every app shares (``sectorwise.core.tabular.engine``): imports are all or
nothing; every problem is reported (row number as the spreadsheet shows it, the header being row 1; the field;
the reason); only when no row fails is anything written, in one transaction, with a history record per change.
Exports use the import's columns, so a file exported, edited and imported again round-trips (a row with an
``id`` updates that record; without, creates).

Speed (50,000 rows in a few seconds): rows are checked with the rules of
``directory.services.organization_validate`` / ``services.membership_validate`` applied in bulk — each
field's own validation once per distinct value, names, ids and the one-membership-per-organisation rule
against sets read in one query each — instead of a
``full_clean`` and several queries per row; ``tests/web/test_import.py`` checks that both verdicts agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from sectorwise.core.tabular.engine import (
    FieldChecks,
    ImportResult,
    Lookup,
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
from sectorwise.core.tabular.engine import (
    choice as _choice,
)
from sectorwise.core.tabular.reader import DEFAULT_LIMITS, TableFormat, TableLimits
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Organization, OrganizationType, SizeBand, size_band_error
from sectorwise.partnerships import services
from sectorwise.partnerships.dashboard_cache import dashboard_figures_changed
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership

__all__ = ["ImportResult", "RowError", "TableFormat"]

MAX_ROWS: Final = DEFAULT_LIMITS.max_rows

# The rule functions below predate the engine and keep their names for it.
_FieldChecks = FieldChecks
_validation_errors = validation_errors


class ImportKind(StrEnum):
    ORGANIZATIONS = "organizations"
    MEMBERSHIPS = "memberships"


ORGANIZATION_COLUMNS: Final = ("id", *directory_services.ORGANIZATION_FIELDS)
ORGANIZATION_REQUIRED: Final = frozenset({"name", "type"})
CONTACT_COLUMNS: Final = frozenset({"email", "phone"})

# A record is named by its id (``*_id``) or its exact name; the export writes both, the import takes either.
MEMBERSHIP_COLUMNS: Final = (
    "partnership_id",
    "partnership",
    "organization_id",
    "organization",
    "role",
    "joined_on",
)
MEMBERSHIP_REQUIRED: Final = frozenset({"role"})
MEMBERSHIP_REQUIRED_ONE_OF: Final = (("partnership_id", "partnership"), ("organization_id", "organization"))

# Free text where a tab or a line break belongs; every other imported text is one line.
MULTILINE_COLUMNS: Final = frozenset({"description"})

# Numbers a spreadsheet turns codes into: 01001 becomes 1001; put the leading zeros back.
_ZERO_PADDED: Final = {"county_fips": 5}

_ORGANIZATION_TYPES: Final = tuple(OrganizationType.choices)
_SIZE_BANDS: Final = tuple(SizeBand.choices)
_ROLES: Final = tuple(MembershipRole.choices)


# Organisations --------------------------------------------------------------------------------------------


class OrganizationImporter(TableImporter):
    """Create (no ``id``) or update (``id``) organisations."""

    kind = ImportKind.ORGANIZATIONS
    columns = ORGANIZATION_COLUMNS
    required = ORGANIZATION_REQUIRED
    multiline = MULTILINE_COLUMNS

    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        wanted_ids = {int(values["id"]) for _, values in records if values.get("id", "").isdigit()}
        existing = Organization.objects.in_bulk(wanted_ids)
        names_in_registry = {
            name.casefold(): pk for pk, name in Organization.objects.values_list("id", "name").iterator()
        }
        checks = FieldChecks(Organization)
        seen_names: dict[str, int] = {}
        seen_ids: dict[int, int] = {}
        to_create: list[Organization] = []
        to_update: list[Organization] = []
        total = len(records) * 2  # checking, then writing
        for done, (row, values) in enumerate(records, start=1):
            report_progress(progress, done, total)
            errors = self.control_errors(row, values)
            if errors:
                result.errors += errors
                continue
            pk = id_or_none(row, values.get("id", ""), errors)
            organization: Organization
            if pk is not None:
                if pk not in existing:
                    errors.append(RowError(row, "id", f"no organization has id {pk}"))
                    organization = Organization()
                else:
                    organization = existing[pk]
                if pk in seen_ids:
                    errors.append(RowError(row, "id", f"id {pk} appears again (first on row {seen_ids[pk]})"))
                seen_ids.setdefault(pk, row)
            else:
                organization = Organization()
            errors += _apply_organization_values(row, organization, values)
            organization.name = organization.name.strip()
            key = organization.name.casefold()
            if key:
                if key in seen_names:
                    errors.append(
                        RowError(
                            row,
                            "name",
                            f"{organization.name!r} appears again (first on row {seen_names[key]})",
                        )
                    )
                seen_names.setdefault(key, row)
                other = names_in_registry.get(key)
                if other is not None and other != pk:
                    errors.append(
                        RowError(
                            row,
                            "name",
                            f"an organization named {organization.name!r} already exists (id {other}); "
                            "give its id to update it",
                        )
                    )
            if not errors:
                errors += _organization_rule_errors(row, organization, checks)
            result.errors += errors
            if not errors:
                (to_update if pk is not None else to_create).append(organization)
        fields = [column for column in ORGANIZATION_COLUMNS if column in header and column != "id"]
        return WritePlan(to_create=list(to_create), to_update=list(to_update), update_fields=fields)

    def written(self) -> None:
        dashboard_figures_changed()


ORGANIZATIONS: Final = register_importer(OrganizationImporter())


def organizations_import(
    *,
    filename: str,
    content: bytes,
    user: Any,
    limits: TableLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> ImportResult:
    """Create (no ``id``) or update (``id``) organisations from CSV/XLSX; nothing is written on any error."""
    return ORGANIZATIONS.run(filename=filename, content=content, user=user, limits=limits, progress=progress)


def _organization_rule_errors(row: int, organization: Organization, checks: _FieldChecks) -> list[RowError]:
    """``directory.services.organization_validate``'s rules without its queries (names checked in bulk): the
    model's own single-row rules (``Organization.clean``, the functions it calls) are asked row by row."""
    found = checks.errors(organization)
    errors = [RowError(row, name, message) for name, messages in found.items() for message in messages]
    if "name" not in found:
        try:
            organization.clean()
        except ValidationError as error:
            errors += _validation_errors(row, error)
    else:  # a bad name is reported once (by its field check); the rules on other fields still apply
        rule = size_band_error(type=organization.type, size_band=organization.size_band)
        errors += [RowError(row, name, message) for name, message in rule.items()]
    return errors


def _apply_organization_values(
    row: int, organization: Organization, values: dict[str, str]
) -> list[RowError]:
    errors: list[RowError] = []
    for column, text in values.items():
        if column == "id":
            continue
        if column == "type":
            choice = _choice(text, _ORGANIZATION_TYPES)
            if choice is None:
                errors.append(
                    RowError(
                        row,
                        column,
                        f"{text!r} is not a type; use one of: {', '.join(OrganizationType.values)}",
                    )
                )
                continue
            text = choice
        elif column == "size_band" and text:
            choice = _choice(text, _SIZE_BANDS)
            if choice is None:
                errors.append(
                    RowError(row, column, f"{text!r} is not a size band; use a code 1-9 or its label")
                )
                continue
            text = choice
        elif column in _ZERO_PADDED and text.isdigit():
            text = text.zfill(_ZERO_PADDED[column])
        elif column == "state":
            text = text.upper()
        setattr(organization, column, text)
    return errors


def organizations_export_rows(
    *, organizations: QuerySet[Organization], include_contacts: bool
) -> tuple[list[str], Iterator[list[Any]]]:
    """The import's columns and one row per organisation; contact columns only for users who may see them."""
    columns = [column for column in ORGANIZATION_COLUMNS if include_contacts or column not in CONTACT_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for organization in organizations.order_by("id").iterator(chunk_size=2000):
            yield [getattr(organization, column) for column in columns]

    return columns, rows()


# Memberships ----------------------------------------------------------------------------------------------


# Memberships ----------------------------------------------------------------------------------------------


class MembershipImporter(TableImporter):
    """Add members to partnerships (or change the role of existing ones).

    ``partnership`` and ``organization`` each take a record id or the record's exact name.
    """

    kind = ImportKind.MEMBERSHIPS
    columns = MEMBERSHIP_COLUMNS
    required = MEMBERSHIP_REQUIRED
    required_one_of = MEMBERSHIP_REQUIRED_ONE_OF

    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        def reference(values: dict[str, str], name: str) -> str:
            return values.get(f"{name}_id", "") or values.get(name, "")

        partnerships = Lookup(SectorPartnership.objects.select_related("convener"), "partnership")
        organizations = Lookup(Organization.objects.all(), "organization")
        partnerships.load(reference(values, "partnership") for _, values in records)
        organizations.load(reference(values, "organization") for _, values in records)
        existing = {
            (membership.partnership_id, membership.organization_id): membership
            for membership in Membership.objects.filter(
                partnership_id__in=partnerships.ids(), organization_id__in=organizations.ids()
            )
        }
        checks = FieldChecks(Membership)
        seen: dict[tuple[int, int], int] = {}
        to_create: list[Membership] = []
        to_update: list[Membership] = []
        total = len(records) * 2
        for done, (row, values) in enumerate(records, start=1):
            report_progress(progress, done, total)
            errors = self.control_errors(row, values)
            if errors:
                result.errors += errors
                continue
            partnership_id = partnerships.resolve(row, reference(values, "partnership"), errors)
            organization_id = organizations.resolve(row, reference(values, "organization"), errors)
            role = _choice(values["role"], _ROLES)
            if role is None:
                errors.append(
                    RowError(
                        row,
                        "role",
                        f"{values['role']!r} is not a role; use one of: {', '.join(MembershipRole.values)}",
                    )
                )
            joined_on = date_or_none(row, values.get("joined_on", ""), errors, "joined_on")
            if errors or partnership_id is None or organization_id is None or role is None:
                result.errors += errors
                continue
            key = (partnership_id, organization_id)
            if key in seen:
                result.errors.append(
                    RowError(
                        row,
                        "organization",
                        f"this organization appears again in this partnership (row {seen[key]})",
                    )
                )
                continue
            seen[key] = row
            membership = existing.get(key) or Membership()
            # The records read in bulk, also for an existing membership (else each would be fetched again).
            membership.partnership = partnerships.objects[partnership_id]
            membership.organization = organizations.objects[organization_id]
            membership.role = role
            if "joined_on" in header or membership.pk is None:
                membership.joined_on = joined_on
            rule_errors = _membership_rule_errors(row, membership, checks)
            if rule_errors:
                result.errors += rule_errors
                continue
            (to_update if membership.pk is not None else to_create).append(membership)
        fields = ["role", "joined_on"] if "joined_on" in header else ["role"]
        return WritePlan(to_create=list(to_create), to_update=list(to_update), update_fields=fields)

    def written(self) -> None:
        dashboard_figures_changed()


MEMBERSHIPS: Final = register_importer(MembershipImporter())


def memberships_import(
    *,
    filename: str,
    content: bytes,
    user: Any,
    limits: TableLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> ImportResult:
    """Add members to partnerships (or change the role of existing ones); nothing is written on any error.

    ``partnership`` and ``organization`` each take a record id or the record's exact name.
    """
    return MEMBERSHIPS.run(filename=filename, content=content, user=user, limits=limits, progress=progress)


def _membership_rule_errors(row: int, membership: Membership, checks: _FieldChecks) -> list[RowError]:
    """``services.membership_validate``'s rules without its queries: the partnership and organisation
    exist (the lookups read them) and one membership per organisation is checked against the file and the
    memberships read in bulk."""
    found = checks.errors(membership)
    errors = [RowError(row, name, message) for name, messages in found.items() for message in messages]
    if errors:
        return errors
    try:
        membership.clean()  # the model's single-row rules (employer roles are for employers)
    except ValidationError as error:
        return _validation_errors(row, error)
    rule = services.convener_role_error(
        role=membership.role, organization=membership.organization, partnership=membership.partnership
    )
    return [RowError(row, name, message) for name, message in rule.items()]


def memberships_export_rows(*, memberships: QuerySet[Membership]) -> tuple[list[str], Iterator[list[Any]]]:
    def rows() -> Iterator[list[Any]]:
        queryset = memberships.select_related("partnership", "organization").order_by("partnership_id", "id")
        for membership in queryset.iterator(chunk_size=2000):
            yield [
                membership.partnership_id,
                membership.partnership.name,
                membership.organization_id,
                membership.organization.name,
                membership.role,
                membership.joined_on.isoformat() if membership.joined_on else "",
            ]

    return list(MEMBERSHIP_COLUMNS), rows()
