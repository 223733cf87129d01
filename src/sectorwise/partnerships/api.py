"""API routes of the registry (mounted under /api/ by ``sectorwise.web.api``); the pages' permissions."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from sectorwise.core.permissions import Action, user_can
from sectorwise.partnerships import selectors, services
from sectorwise.partnerships.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationType,
    SectorPartnership,
    SizeBand,
    Stage,
)

router = Router(tags=["registry"])


class RegionOut(Schema):
    id: int
    name: str


class ConvenerOut(Schema):
    id: int
    name: str
    type: OrganizationType


class PartnershipOut(Schema):
    id: int
    name: str
    stage: Stage
    region: RegionOut
    convener: ConvenerOut
    target_naics_codes: list[str]
    cluster: str
    exploring_since: dt.date | None
    planning_since: dt.date | None
    implementation_since: dt.date | None
    sustaining_since: dt.date | None
    goals: str
    updated_at: dt.datetime


class MemberOut(Schema):
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    organization_type: OrganizationType = Field(..., alias="organization.type")
    role: str
    joined_on: dt.date | None


class PartnershipDetailOut(PartnershipOut):
    description: str
    members: list[MemberOut]


class PartnershipPatch(Schema):
    """Only the fields sent change. ``stage_since`` dates a stage change (default: today)."""

    name: str | None = None
    stage: Stage | None = None
    stage_since: dt.date | None = None
    cluster: str | None = None
    goals: str | None = None
    description: str | None = None
    target_naics_codes: list[str] | None = None


class PartnershipFilters(FilterSchema):
    search: str = ""
    region_id: int | None = None
    naics: str = ""
    stage: Stage | None = None
    convener_type: OrganizationType | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    type: OrganizationType
    county_fips: str
    naics_code: str
    size_band: str
    city: str
    state: str
    website: str


class OrganizationIn(Schema):
    """A new organisation. Contact details (email, phone, people) are managed on the pages, not here."""

    name: str
    type: OrganizationType
    street_address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    county_fips: str = ""
    naics_code: str = ""
    size_band: SizeBand | None = None
    website: str = ""
    description: str = ""


class OrganizationPatch(Schema):
    """Only the fields sent change."""

    name: str | None = None
    type: OrganizationType | None = None
    street_address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    county_fips: str | None = None
    naics_code: str | None = None
    size_band: SizeBand | None = None
    website: str | None = None
    description: str | None = None


class MemberIn(Schema):
    organization_id: int
    role: MembershipRole
    joined_on: dt.date | None = None


class MemberPatch(Schema):
    """Only the fields sent change."""

    role: MembershipRole | None = None
    joined_on: dt.date | None = None


class OrganizationFilters(FilterSchema):
    search: str = ""
    type: OrganizationType | None = None
    county_fips: str = ""


def _require(request: HttpRequest, action: Action, obj: Any = None) -> None:
    if not user_can(user=request.user, action=action, obj=obj):
        raise HttpError(403, "You may not do this.")


def _unprocessable(error: ValidationError) -> HttpError:
    """A model validation error as a 422 that names each field."""
    if hasattr(error, "error_dict"):
        return HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()))
    return HttpError(422, " ".join(error.messages))


@router.get("/partnerships", response=list[PartnershipOut], url_name="partnership_list")
@paginate(LimitOffsetPagination)
def partnership_list(request: HttpRequest, filters: Query[PartnershipFilters]) -> Any:
    """Partnerships filtered by search, region, NAICS prefix, stage, convener type; limit/offset pages."""
    _require(request, Action.VIEW)
    return selectors.partnership_list(
        search=filters.search,
        region_id=filters.region_id,
        naics=filters.naics,
        stage=filters.stage or "",
        convener_type=filters.convener_type or "",
    ).only(*selectors.API_FIELDS)  # model instances cost by the column: only what PartnershipOut shows


def _detail(partnership: SectorPartnership) -> dict[str, Any]:
    out = PartnershipOut.from_orm(partnership).dict()
    out["description"] = partnership.description
    out["members"] = list(selectors.partnership_members(partnership=partnership))
    return out


@router.get(
    "/partnerships/{int:partnership_id}", response=PartnershipDetailOut, url_name="partnership_detail"
)
def partnership_detail(request: HttpRequest, partnership_id: int) -> Any:
    """One partnership with its members."""
    _require(request, Action.VIEW)
    return _detail(selectors.partnership_get(pk=partnership_id))


@router.patch(
    "/partnerships/{int:partnership_id}", response=PartnershipDetailOut, url_name="partnership_patch"
)
def partnership_patch(request: HttpRequest, partnership_id: int, payload: PartnershipPatch) -> Any:
    """Change a partnership: state staff and the partnership's convener only (others get 403)."""
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, Action.CHANGE_PARTNERSHIP, partnership)
    changes = payload.dict(exclude_unset=True)
    target_naics = changes.pop("target_naics_codes", None)
    stage = changes.pop("stage", None)
    stage_since = changes.pop("stage_since", None)
    try:
        with transaction.atomic():
            services.partnership_update(
                partnership=partnership,
                target_naics=target_naics,
                stage=stage,
                stage_since=stage_since,
                **changes,
            )
    except ValidationError as error:
        raise _unprocessable(error) from error
    except PermissionDenied as error:
        raise HttpError(403, "You may not do this.") from error
    return _detail(selectors.partnership_get(pk=partnership_id))


@router.get("/organizations", response=list[OrganizationOut], url_name="organization_list")
@paginate(LimitOffsetPagination)
def organization_list(request: HttpRequest, filters: Query[OrganizationFilters]) -> Any:
    """Organizations (no contact details), filtered by name, type and county, paginated."""
    _require(request, Action.VIEW)
    return selectors.organization_list(
        search=filters.search, type=filters.type or "", county_fips=filters.county_fips
    )


@router.get("/organizations/{int:organization_id}", response=OrganizationOut, url_name="organization_detail")
def organization_detail(request: HttpRequest, organization_id: int) -> Organization:
    _require(request, Action.VIEW)
    return selectors.organization_get(pk=organization_id)


@router.post("/organizations", response={201: OrganizationOut}, url_name="organization_create")
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Status[Organization]:
    """Add an organisation to the registry: state staff and conveners (to make it a member)."""
    _require(request, Action.CREATE_ORGANIZATION)
    fields = payload.dict()
    fields["size_band"] = fields["size_band"] or ""
    try:
        with transaction.atomic():
            organization = services.organization_create(**fields)
    except ValidationError as error:
        raise _unprocessable(error) from error
    return Status(201, organization)


@router.patch("/organizations/{int:organization_id}", response=OrganizationOut, url_name="organization_patch")
def organization_patch(
    request: HttpRequest, organization_id: int, payload: OrganizationPatch
) -> Organization:
    """Change an organisation: state staff only (as on the pages)."""
    organization = selectors.organization_get(pk=organization_id)
    _require(request, Action.CHANGE_ORGANIZATION, organization)
    changes = payload.dict(exclude_unset=True)
    if "size_band" in changes:
        changes["size_band"] = changes["size_band"] or ""
    try:
        with transaction.atomic():
            services.organization_update(organization=organization, **changes)
    except ValidationError as error:
        raise _unprocessable(error) from error
    return selectors.organization_get(pk=organization_id)


def _member_out(membership: Membership) -> Membership:
    return selectors.partnership_members(partnership=membership.partnership).get(pk=membership.pk)


@router.post(
    "/partnerships/{int:partnership_id}/members", response={201: MemberOut}, url_name="member_create"
)
def member_create(request: HttpRequest, partnership_id: int, payload: MemberIn) -> Status[Membership]:
    """Add an organisation to a partnership: state staff and the partnership's convener."""
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, Action.MANAGE_MEMBERSHIPS, partnership)
    organization = selectors.organization_get(pk=payload.organization_id)
    try:
        with transaction.atomic():
            membership = services.membership_add(
                partnership=partnership,
                organization=organization,
                role=payload.role,
                joined_on=payload.joined_on,
            )
    except ValidationError as error:
        raise _unprocessable(error) from error
    return Status(201, _member_out(membership))


@router.patch(
    "/partnerships/{int:partnership_id}/members/{int:organization_id}",
    response=MemberOut,
    url_name="member_patch",
)
def member_patch(
    request: HttpRequest, partnership_id: int, organization_id: int, payload: MemberPatch
) -> Any:
    """Change a member's role or joining date: state staff and the partnership's convener."""
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, Action.MANAGE_MEMBERSHIPS, partnership)
    membership = selectors.membership_of_organization(
        partnership=partnership, organization_id=organization_id
    )
    try:
        with transaction.atomic():
            services.membership_update(membership=membership, **payload.dict(exclude_unset=True))
    except ValidationError as error:
        raise _unprocessable(error) from error
    return _member_out(membership)


@router.delete(
    "/partnerships/{int:partnership_id}/members/{int:organization_id}",
    response={204: None},
    url_name="member_delete",
)
def member_delete(request: HttpRequest, partnership_id: int, organization_id: int) -> Status[None]:
    """Remove a member (never the convener): state staff and the partnership's convener."""
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, Action.MANAGE_MEMBERSHIPS, partnership)
    membership = selectors.membership_of_organization(
        partnership=partnership, organization_id=organization_id
    )
    try:
        with transaction.atomic():
            services.membership_remove(membership=membership)
    except ValidationError as error:
        raise _unprocessable(error) from error
    return Status(204, None)
