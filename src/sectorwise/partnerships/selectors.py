"""Reads on the registry: lists with filters (query counts independent of the rows shown), details, health,
and the counts the dashboard draws."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.http import Http404

from sectorwise.core.permissions import Action
from sectorwise.core.rules import visible_to
from sectorwise.directory.models import Organization, OrganizationType
from sectorwise.directory.selectors import search_unmatchable
from sectorwise.lmi.codes import RANGE_SECTOR_OF_MEMBER, RANGE_SECTORS, naics_sector
from sectorwise.partnerships.lmi_employment import EmploymentUnavailable, region_industry_employment
from sectorwise.partnerships.models import (
    EMPLOYER_ROLES,
    Membership,
    MembershipRole,
    Region,
    SectorPartnership,
    Stage,
    TargetIndustry,
)


def partnership_list(
    *,
    user: Any,
    search: str = "",
    region_id: int | None = None,
    naics: str = "",
    stage: Stage | str = "",
    convener_type: OrganizationType | str = "",
    convener_id: int | None = None,
) -> QuerySet[SectorPartnership]:
    """The partnerships ``user`` may see (everyone: the list is public, without contact details) matching
    every filter given; what a list row shows loads in a fixed number of queries.

    ``naics`` matches target industries at or below that code (``31`` finds ``336411``); ``search`` looks in
    the name, cluster, region and convener names.
    """
    queryset = visible_to(
        SectorPartnership.objects.select_related("region", "convener").prefetch_related("target_industries"),
        user=user,
        action=Action.VIEW_PUBLIC,
    )
    if search_unmatchable(search, naics):
        return queryset.none()
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(cluster__icontains=term)
            | Q(region__name__icontains=term)
            | Q(convener__name__icontains=term)
        )
    if region_id is not None:
        queryset = queryset.filter(region_id=region_id)
    if naics.strip():
        # A sector BLS writes as a range ('31-33'), or a two-digit member of one ('31'), means the sector.
        code = naics.strip()
        sector = naics_sector(code) if len(code) == 2 or code in RANGE_SECTORS else None
        prefixes = RANGE_SECTORS.get(sector or "", (code,))
        matches = Q()
        for prefix in prefixes:
            matches |= Q(target_industries__naics_code__startswith=prefix)
        queryset = queryset.filter(pk__in=SectorPartnership.objects.filter(matches).values("pk"))
    if stage:
        queryset = queryset.filter(stage=Stage(stage))
    if convener_type:
        queryset = queryset.filter(convener__type=OrganizationType(convener_type))
    if convener_id is not None:
        queryset = queryset.filter(convener_id=convener_id)
    return queryset.order_by("name", "id")


LIST_ROW_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "cluster",
    "stage",
    "region__name",
    "convener__name",
    "convener__type",
)
"""The columns a row of the partnership list shows (goals, descriptions and dates stay in the database)."""


API_FIELDS: tuple[str, ...] = (
    *LIST_ROW_FIELDS,
    "exploring_since",
    "planning_since",
    "implementation_since",
    "sustaining_since",
    "goals",
    "updated_at",
    "region__id",
    "convener__id",
)
"""The columns of the API's partnership objects (``PartnershipOut``)."""


def partnership_list_rows(*, user: Any, **filters: Any) -> QuerySet[SectorPartnership]:
    """``partnership_list`` loading only ``LIST_ROW_FIELDS`` (and target industries): the list page's rows."""
    return partnership_list(user=user, **filters).only(*LIST_ROW_FIELDS)


def partnership_get(*, pk: int) -> SectorPartnership:
    """One partnership with its region, convener and target industries; Http404 when there is none."""
    try:
        return (
            SectorPartnership.objects.select_related("region", "convener")
            .prefetch_related("target_industries", "region__counties")
            .get(pk=pk)
        )
    except (SectorPartnership.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(f"no partnership {pk}") from error


def partnership_for_url(**url_kwargs: Any) -> SectorPartnership:
    """Permission loader for URLs with ``<int:pk>`` (``sectorwise.core.access.allow(load=...)``)."""
    return partnership_get(pk=url_kwargs["pk"])


MEMBER_FIELDS: tuple[str, ...] = (
    "id",
    "partnership_id",
    "role",
    "joined_on",
    "organization__id",
    "organization__name",
    "organization__type",
    "organization__naics_code",
    "organization__size_band",
    "representative__id",
    "representative__first_name",
    "representative__last_name",
)
"""What the members table, the API and the health figures read of a membership and its organisation."""


def partnership_members(*, partnership: SectorPartnership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("organization", "representative")
        .only(*MEMBER_FIELDS)
        .order_by("role", "organization__name")
    )


#: The largest id a database holds (a 64-bit column); a larger one names nothing, and SQLite and PostgreSQL
#: would fail on it rather than find nothing.
MAX_RECORD_ID = 2**63 - 1


def _possible_id(value: Any) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_RECORD_ID


def membership_get(*, partnership: SectorPartnership, pk: int) -> Membership:
    if not _possible_id(pk):
        raise Http404(f"no membership {pk} in partnership {partnership.pk}")
    try:
        return Membership.objects.select_related("organization", "partnership").get(
            partnership=partnership, pk=pk
        )
    except Membership.DoesNotExist as error:
        raise Http404(f"no membership {pk} in partnership {partnership.pk}") from error


def membership_of_organization(*, partnership: SectorPartnership, organization_id: int) -> Membership:
    """The membership of an organisation in a partnership (one at most); Http404 when it is no member."""
    if not _possible_id(organization_id):
        raise Http404(f"organisation {organization_id} is not a member of partnership {partnership.pk}")
    try:
        return Membership.objects.select_related("organization", "partnership").get(
            partnership=partnership, organization_id=organization_id
        )
    except Membership.DoesNotExist as error:
        raise Http404(
            f"organisation {organization_id} is not a member of partnership {partnership.pk}"
        ) from error


def memberships_visible_to(*, user: Any) -> QuerySet[Membership]:
    """Every membership, for users who may read the internal pages (none for anyone else)."""
    return visible_to(Membership.objects.all(), user=user, action=Action.VIEW)


def organization_memberships(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("partnership", "partnership__region")
        .order_by("partnership__name")
    )


# --- Health -------------------------------------------------------------------------------------------------

STAKEHOLDER_GROUPS: dict[str, frozenset[str]] = {
    "Employers": EMPLOYER_ROLES,
    "Education and training": frozenset({MembershipRole.EDUCATION_PARTNER}),
    "Labor": frozenset({MembershipRole.LABOR_PARTNER}),
    "Community": frozenset({MembershipRole.COMMUNITY_PARTNER}),
    "Public": frozenset({MembershipRole.PUBLIC_PARTNER}),
}
"""The stakeholder types a sector partnership is expected to bring together (the convener is not one)."""

EMPLOYER_LED_SHARE = 0.5


@dataclass(frozen=True)
class EmploymentCoverage:
    """The share of the region's employment in the target industries that employer members represent.

    Member employment is estimated from size bands (the midpoint of each class), not counted: ``share`` is
    an estimate. ``known`` is False when the warehouse is not loaded or has no data for the region.
    """

    known: bool
    member_employment_estimate: int
    employers_in_target_industries: int
    employers_without_size_band: int
    region_employment: int | None = None
    year: int | None = None
    share: float | None = None
    region_figure_incomplete: bool = False
    reason: str = ""


class _MemberFigures(TypedDict):
    """The members' side of an ``EmploymentCoverage``, the same whatever the region's figure."""

    member_employment_estimate: int
    employers_in_target_industries: int
    employers_without_size_band: int


@dataclass(frozen=True)
class PartnershipHealth:
    member_count: int
    employer_count: int
    employer_share: float | None
    """Employer members among all members (None when there are none)."""
    has_employer_cochair: bool
    employer_led: bool
    """At least half the members are employers and an employer champions or co-chairs the partnership."""
    stakeholders_present: tuple[str, ...]
    stakeholders_missing: tuple[str, ...]
    coverage: EmploymentCoverage


def _in_targets(naics_code: str, targets: list[str]) -> bool:
    return bool(naics_code) and any(naics_code.startswith(target) for target in targets)


def partnership_health(
    *,
    partnership: SectorPartnership,
    warehouse_path: Path | None = None,
    members: list[Membership] | None = None,
) -> PartnershipHealth:
    """Computed, never typed in: employer-led, stakeholder types present and missing, employment coverage.

    ``members``: the partnership's ``partnership_members`` when the caller has already loaded them.
    """
    memberships = list(partnership_members(partnership=partnership)) if members is None else members
    roles = Counter(membership.role for membership in memberships)
    member_count = len(memberships)
    employer_count = sum(roles[role] for role in EMPLOYER_ROLES)
    employer_share = employer_count / member_count if member_count else None
    has_cochair = roles[MembershipRole.EMPLOYER_CHAMPION] > 0
    present = tuple(name for name, group in STAKEHOLDER_GROUPS.items() if any(roles[r] for r in group))
    missing = tuple(name for name in STAKEHOLDER_GROUPS if name not in present)
    employers = [m.organization for m in memberships if m.is_employer_role]
    return PartnershipHealth(
        member_count=member_count,
        employer_count=employer_count,
        employer_share=employer_share,
        has_employer_cochair=has_cochair,
        employer_led=has_cochair and employer_share is not None and employer_share >= EMPLOYER_LED_SHARE,
        stakeholders_present=present,
        stakeholders_missing=missing,
        coverage=_employment_coverage(partnership, employers, warehouse_path),
    )


def _employment_coverage(
    partnership: SectorPartnership, employers: list[Organization], warehouse_path: Path | None
) -> EmploymentCoverage:
    targets = partnership.target_naics_codes
    in_targets = [org for org in employers if _in_targets(org.naics_code, targets)]
    estimates = [org.estimated_employment for org in in_targets]
    member_estimate = sum(value for value in estimates if value is not None)
    base: _MemberFigures = {
        "member_employment_estimate": member_estimate,
        "employers_in_target_industries": len(in_targets),
        "employers_without_size_band": sum(value is None for value in estimates),
    }
    if not targets:
        return EmploymentCoverage(
            known=False, reason="The partnership names a cluster, not NAICS codes.", **base
        )
    region_figure = region_industry_employment(
        county_fips=partnership.region.county_fips_list, naics_codes=targets, warehouse_path=warehouse_path
    )
    if region_figure is None:
        return EmploymentCoverage(
            known=False, reason="No labor-market data for this region is loaded in the warehouse.", **base
        )
    if isinstance(region_figure, EmploymentUnavailable):
        return EmploymentCoverage(
            known=False,
            reason="The labor-market data is being updated or is not available right now; try again later.",
            **base,
        )
    if region_figure.employment <= 0:
        return EmploymentCoverage(
            known=False,
            year=region_figure.year,
            region_employment=0,
            region_figure_incomplete=region_figure.incomplete,
            reason="The region's employment in the target industries is suppressed or zero.",
            **base,
        )
    return EmploymentCoverage(
        known=True,
        year=region_figure.year,
        region_employment=region_figure.employment,
        share=member_estimate / region_figure.employment,
        region_figure_incomplete=region_figure.incomplete,
        **base,
    )


# --- Dashboard counts ---------------------------------------------------------------------------------------


def partnership_counts_by_stage() -> dict[str, int]:
    """Every stage, in order, with its count (zero included)."""
    counts = dict(
        SectorPartnership.objects.values_list("stage").annotate(n=Count("id")).values_list("stage", "n")
    )
    return {stage.value: counts.get(stage.value, 0) for stage in Stage}


def partnership_counts_by_region() -> list[tuple[Region, int]]:
    regions = Region.objects.annotate(n=Count("partnerships")).filter(n__gt=0).order_by("-n", "name")
    return [(region, region.n) for region in regions]


def partnership_counts_by_sector() -> dict[str, int]:
    """Partnerships per NAICS sector of their targets, as BLS writes sectors ('31-33'); each counts once."""
    # Counted by the database (the dashboard's slowest part when read into Python at 2,000 target industries).
    sector = Case(
        *(
            When(naics_code__startswith=member, then=Value(range_sector))
            for member, range_sector in RANGE_SECTOR_OF_MEMBER.items()
        ),
        default=Substr("naics_code", 1, 2),
        output_field=CharField(),
    )
    rows = (
        TargetIndustry.objects.annotate(sector=sector)
        .values("sector")
        .annotate(n=Count("partnership_id", distinct=True))
        .values_list("sector", "n")
    )
    return dict(sorted(rows))


def partnership_counts_by_county() -> dict[str, int]:
    """Partnerships working in each county (through their region), for the dashboard map."""
    rows = (
        SectorPartnership.objects.values_list("region__counties__county_fips")
        .annotate(n=Count("id", distinct=True))
        .values_list("region__counties__county_fips", "n")
    )
    return {fips: n for fips, n in rows if fips}
