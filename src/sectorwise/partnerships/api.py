"""API routes of the registry (mounted under /api/ by ``sectorwise.web.api``); the pages' permissions.

Refused writes are not translated here: a service's ``ValidationError`` and ninja's own request validation
both reach ``sectorwise.core.api``, which answers every one 422 naming the field. Permission is asked
before any record is loaded (``_require_ever``), so a caller who may not act answers the same 401/403 for an
id that exists and one that does not. Writes go through the services, each of which owns its transaction.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import AfterValidator

from sectorwise.core.api import CappedLimitOffsetPagination
from sectorwise.core.permissions import Action, user_can, user_may_ever
from sectorwise.core.validators import no_control_characters
from sectorwise.directory import selectors as directory_selectors
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Organization, OrganizationType, SizeBand
from sectorwise.directory.rules import DirectoryAction
from sectorwise.partnerships import selectors, services
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership, Stage
from sectorwise.partnerships.rules import PartnershipAction

#: The services' names for fields that the API's bodies call otherwise (for the 422s that name them).
SERVICE_FIELD_NAMES = {"target_naics": "target_naics_codes", "organization": "organization_id"}

router = Router(tags=["registry"])


class RegionOut(Schema):
    id: int
    name: str


class ConvenerOut(Schema):
    id: int
    name: str
    type: OrganizationType


def _no_control_characters(value: str) -> str:
    try:
        no_control_characters(value)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from error
    return value


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


# A field of a PATCH body may be left out (it keeps its value) but not sent as null unless null means
# something (no size band, no joining date): the type says "not null", the default None marks "not sent".
NOT_SENT: Any = Field(None)


class PartnershipPatch(Schema):
    """Only the fields sent change. ``stage_since`` dates a stage change (default: today)."""

    name: str = NOT_SENT
    stage: Stage = NOT_SENT
    stage_since: dt.date | None = None
    cluster: str = NOT_SENT
    goals: str = NOT_SENT
    description: str = NOT_SENT
    target_naics_codes: list[str] = NOT_SENT


# Query-string text without control characters (a NUL would reach the database): refused, 422 naming it.
QueryText = Annotated[str, AfterValidator(_no_control_characters)]


class PartnershipFilters(FilterSchema):
    search: QueryText = ""
    region_id: int | None = None
    naics: QueryText = ""
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

    name: str = NOT_SENT
    type: OrganizationType = NOT_SENT
    street_address: str = NOT_SENT
    city: str = NOT_SENT
    state: str = NOT_SENT
    postal_code: str = NOT_SENT
    county_fips: str = NOT_SENT
    naics_code: str = NOT_SENT
    size_band: SizeBand | None = None
    website: str = NOT_SENT
    description: str = NOT_SENT


class MemberIn(Schema):
    organization_id: int
    role: MembershipRole
    joined_on: dt.date | None = None


class MemberPatch(Schema):
    """Only the fields sent change."""

    role: MembershipRole = NOT_SENT
    joined_on: dt.date | None = None


class OrganizationFilters(FilterSchema):
    search: QueryText = ""
    type: OrganizationType | None = None
    county_fips: QueryText = ""


def _require(request: HttpRequest, action: str, obj: Any = None) -> None:
    if not user_can(user=request.user, action=action, obj=obj):
        raise HttpError(403, "You may not do this.")


def _require_ever(request: HttpRequest, action: str) -> None:
    """Refuse a caller who may not do ``action`` to any record, before a record is looked up (no 404 that
    would tell them which ids exist)."""
    if not user_may_ever(user=request.user, action=action):
        raise HttpError(403, "You may not do this.")


@router.get("/partnerships", response=list[PartnershipOut], url_name="partnership_list")
@paginate(CappedLimitOffsetPagination)
def partnership_list(request: HttpRequest, filters: Query[PartnershipFilters]) -> Any:
    """Partnerships filtered by search, region, NAICS prefix, stage, convener type; limit/offset pages."""
    _require(request, Action.VIEW)
    return selectors.partnership_list(
        user=request.user,
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
    _require_ever(request, PartnershipAction.CHANGE_PARTNERSHIP)
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, PartnershipAction.CHANGE_PARTNERSHIP, partnership)
    changes = payload.dict(exclude_unset=True)
    target_naics = changes.pop("target_naics_codes", None)
    stage = changes.pop("stage", None)
    stage_since = changes.pop("stage_since", None)
    services.partnership_update(
        partnership=partnership,
        target_naics=target_naics,
        stage=stage,
        stage_since=stage_since,
        **changes,
    )
    return _detail(selectors.partnership_get(pk=partnership_id))


@router.get("/organizations", response=list[OrganizationOut], url_name="organization_list")
@paginate(CappedLimitOffsetPagination)
def organization_list(request: HttpRequest, filters: Query[OrganizationFilters]) -> Any:
    """Organizations (no contact details), filtered by name, type and county, paginated."""
    _require(request, Action.VIEW)
    return directory_selectors.organization_list(
        user=request.user, search=filters.search, type=filters.type or "", county_fips=filters.county_fips
    )


@router.get("/organizations/{int:organization_id}", response=OrganizationOut, url_name="organization_detail")
def organization_detail(request: HttpRequest, organization_id: int) -> Organization:
    _require(request, Action.VIEW)
    return directory_selectors.organization_get(pk=organization_id)


@router.post("/organizations", response={201: OrganizationOut}, url_name="organization_create")
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Status[Organization]:
    """Add an organisation to the registry: state staff and conveners (to make it a member)."""
    _require(request, DirectoryAction.CREATE_ORGANIZATION)
    fields = payload.dict()
    fields["size_band"] = fields["size_band"] or ""
    organization = directory_services.organization_create(**fields)
    return Status(201, organization)


@router.patch("/organizations/{int:organization_id}", response=OrganizationOut, url_name="organization_patch")
def organization_patch(
    request: HttpRequest, organization_id: int, payload: OrganizationPatch
) -> Organization:
    """Change an organisation: state staff only (as on the pages)."""
    _require(request, DirectoryAction.CHANGE_ORGANIZATION)
    organization = directory_selectors.organization_get(pk=organization_id)
    changes = payload.dict(exclude_unset=True)
    if "size_band" in changes:
        changes["size_band"] = changes["size_band"] or ""
    directory_services.organization_update(organization=organization, **changes)
    return directory_selectors.organization_get(pk=organization_id)


def _member_out(membership: Membership) -> Membership:
    return selectors.partnership_members(partnership=membership.partnership).get(pk=membership.pk)


@router.post(
    "/partnerships/{int:partnership_id}/members", response={201: MemberOut}, url_name="member_create"
)
def member_create(request: HttpRequest, partnership_id: int, payload: MemberIn) -> Status[Membership]:
    """Add an organisation to a partnership: state staff and the partnership's convener."""
    _require_ever(request, PartnershipAction.MANAGE_MEMBERSHIPS)
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, PartnershipAction.MANAGE_MEMBERSHIPS, partnership)
    organization = directory_selectors.organization_get(pk=payload.organization_id)
    membership = services.membership_add(
        partnership=partnership,
        organization=organization,
        role=payload.role,
        joined_on=payload.joined_on,
    )
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
    _require_ever(request, PartnershipAction.MANAGE_MEMBERSHIPS)
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, PartnershipAction.MANAGE_MEMBERSHIPS, partnership)
    membership = selectors.membership_of_organization(
        partnership=partnership, organization_id=organization_id
    )
    services.membership_update(membership=membership, **payload.dict(exclude_unset=True))
    return _member_out(membership)


@router.delete(
    "/partnerships/{int:partnership_id}/members/{int:organization_id}",
    response={204: None},
    url_name="member_delete",
)
def member_delete(request: HttpRequest, partnership_id: int, organization_id: int) -> Status[None]:
    """Remove a member (never the convener): state staff and the partnership's convener."""
    _require_ever(request, PartnershipAction.MANAGE_MEMBERSHIPS)
    partnership = selectors.partnership_get(pk=partnership_id)
    _require(request, PartnershipAction.MANAGE_MEMBERSHIPS, partnership)
    membership = selectors.membership_of_organization(
        partnership=partnership, organization_id=organization_id
    )
    services.membership_remove(membership=membership)
    return Status(204, None)
