"""Writes on the registry. Each validates (``full_clean``: the models' single-row rules; plus the rules
spanning records, here), raises ``ValidationError`` naming the field, and owns its transaction.

Permission checks are the caller's (views and the API ask ``sectorwise.core.permissions.user_can``); the
history of every change (who, when, what) is recorded by django-simple-history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sectorwise.core.services import refuse_duplicate_name, refuse_nulls
from sectorwise.core.validators import county_fips_validator, naics_validator
from sectorwise.directory.models import Organization, Person
from sectorwise.partnerships.models import (
    Membership,
    MembershipRole,
    Region,
    RegionCounty,
    RegionSource,
    SectorPartnership,
    Stage,
    TargetIndustry,
    child_codes_for_history,
)

REGION_NEEDS_A_COUNTY = "A region needs at least one county."

PARTNERSHIP_FIELDS = frozenset({"name", "region", "convener", "cluster", "goals", "description"})


def _clean_counties(county_fips: Iterable[str]) -> list[str]:
    counties = sorted({code.strip() for code in county_fips})
    if not counties:
        raise ValidationError({"counties": REGION_NEEDS_A_COUNTY})
    for code in counties:
        try:
            county_fips_validator(code)
        except ValidationError as error:
            raise ValidationError({"counties": f"{code!r}: {error.messages[0]}"}) from error
    return counties


@transaction.atomic
def region_create(
    *,
    name: str,
    county_fips: Iterable[str],
    source: RegionSource | str = RegionSource.HAND,
    source_detail: str = "",
    description: str = "",
) -> Region:
    counties = _clean_counties(county_fips)
    region = Region(name=name, source=source, source_detail=source_detail, description=description)
    region.full_clean()
    region.save()
    RegionCounty.objects.bulk_create(RegionCounty(region=region, county_fips=code) for code in counties)
    _snapshot_creation(region)
    return region


def _snapshot_creation(record: Region | SectorPartnership) -> None:
    """The creation record of a region or partnership, with the counties / target industries made just after
    it (they need its id); in the same transaction, so no one sees the record without them."""
    creation = record.history.filter(history_type="+").order_by("-history_id").first()
    if creation is not None:
        for name, value in child_codes_for_history(record).items():
            setattr(creation, name, value)
        creation.save()


@transaction.atomic
def region_set_counties(*, region: Region, county_fips: Iterable[str]) -> Region:
    """Replace the region's counties (the region's history records the save; counties are its children)."""
    counties = _clean_counties(county_fips)
    region.counties.exclude(county_fips__in=counties).delete()
    existing = set(region.counties.values_list("county_fips", flat=True))
    RegionCounty.objects.bulk_create(
        RegionCounty(region=region, county_fips=code) for code in counties if code not in existing
    )
    region.save(update_fields=["updated_at"])
    return region


class RegionLike(Protocol):
    """What ``sectorwise.lmi`` region sets and delineations produce (``sectorwise.lmi.regions.Region``)."""

    @property
    def name(self) -> str: ...

    @property
    def counties(self) -> Sequence[str]: ...

    @property
    def description(self) -> str: ...


def region_create_from_region_set(
    *,
    region_set_name: str,
    regions: Iterable[RegionLike],
    zone: str,
    name: str | None = None,
    source: RegionSource | str = RegionSource.REGION_SET,
) -> Region:
    """A registry region from one zone of an ``lmi`` delineation or published region set.

    ``regions`` are the set's regions (``sectorwise.lmi.regions.Region`` objects); ``zone`` names the one to
    take. The region keeps where it came from in ``source`` and ``source_detail``.
    """
    by_name = {region.name: region for region in regions}
    if zone not in by_name:
        known = ", ".join(sorted(by_name)[:10])
        raise ValidationError({"zone": f"{region_set_name} has no zone {zone!r} (it has: {known} ...)"})
    chosen = by_name[zone]
    return region_create(
        name=name or chosen.name,
        county_fips=chosen.counties,
        source=source,
        source_detail=f"{region_set_name}: {zone}",
        description=chosen.description,
    )


def region_create_from_warehouse(
    *, spec: str, name: str | None = None, warehouse_path: Path | None = None
) -> Region:
    """A registry region from a region set stored in the LMI warehouse (``sectorwise lmi regions`` stores
    delineations and published sets there): ``spec`` is ``SET:REGION_ID`` or ``SET@COUNTY_FIPS``."""
    from sectorwise.core.warehouse_gateway import READ_ERRORS, WarehouseMissing, open_warehouse_read_only
    from sectorwise.lmi.regionsets import stored_region

    try:
        with open_warehouse_read_only(warehouse_path) as con:
            region = stored_region(con.con, spec)
    except WarehouseMissing as error:
        raise ValidationError({"spec": f"{error}: store a region set first"}) from error
    except (ValueError, LookupError) as error:
        raise ValidationError({"spec": str(error)}) from error
    except READ_ERRORS as error:  # being replaced by a foreign writer, or damaged: a message, not a 500
        raise ValidationError({"spec": f"the LMI warehouse cannot be read right now: {error}"}) from error
    set_name = spec.rsplit("@" if "@" in spec else ":", 1)[0]
    return region_create_from_region_set(
        region_set_name=set_name, regions=[region], zone=region.name, name=name or region.name
    )


def _clean_naics(codes: Iterable[str]) -> list[str]:
    cleaned = sorted({code.strip() for code in codes if code.strip()})
    for code in cleaned:
        try:
            naics_validator(code)
        except ValidationError as error:
            raise ValidationError({"target_naics": f"{code!r}: {error.messages[0]}"}) from error
    return cleaned


def _set_target_industries(partnership: SectorPartnership, codes: list[str]) -> None:
    partnership.target_industries.exclude(naics_code__in=codes).delete()
    existing = set(partnership.target_industries.values_list("naics_code", flat=True))
    TargetIndustry.objects.bulk_create(
        TargetIndustry(partnership=partnership, naics_code=code) for code in codes if code not in existing
    )


@transaction.atomic
def partnership_create(
    *,
    name: str,
    region: Region,
    convener: Organization,
    target_naics: Iterable[str] = (),
    cluster: str = "",
    stage: Stage | str = Stage.EXPLORING,
    stage_since: dt.date | None = None,
    goals: str = "",
    description: str = "",
) -> SectorPartnership:
    """A new partnership; its convener becomes its first member (role convener)."""
    codes = _clean_naics(target_naics)
    if not codes and not cluster.strip():
        raise ValidationError({"target_naics": "Name the target industries (NAICS codes) or a cluster."})
    partnership = SectorPartnership(
        name=name,
        region=region,
        convener=convener,
        cluster=cluster,
        stage=Stage(stage),
        goals=goals,
        description=description,
    )
    setattr(partnership, f"{Stage(stage).value}_since", stage_since or timezone.localdate())
    _validate_partnership(partnership)
    partnership.save()
    _set_target_industries(partnership, codes)
    _snapshot_creation(partnership)
    Membership.objects.create(partnership=partnership, organization=convener, role=MembershipRole.CONVENER)
    return partnership


@transaction.atomic
def partnership_update(
    *,
    partnership: SectorPartnership,
    target_naics: Iterable[str] | None = None,
    stage: Stage | str | None = None,
    stage_since: dt.date | None = None,
    **changes: Any,
) -> SectorPartnership:
    """Change fields (``name``, ``region``, ``convener``, ``cluster``, ``goals``, ``description``), the target
    industries, and the stage (recording the date it was reached: ``stage_since`` or today).

    A new convener also becomes a member with role convener (the old one stays a member).
    """
    unknown = set(changes) - PARTNERSHIP_FIELDS
    if unknown:
        raise TypeError(f"partnership_update: unknown fields {sorted(unknown)}")
    for field, value in changes.items():
        setattr(partnership, field, value)
    if stage is not None and Stage(stage) != partnership.stage:
        partnership.stage = Stage(stage)
        setattr(partnership, f"{Stage(stage).value}_since", stage_since or timezone.localdate())
    refuse_nulls(partnership)
    codes = _clean_naics(target_naics) if target_naics is not None else None
    has_target = bool(codes) if codes is not None else partnership.target_industries.exists()
    if not has_target and not partnership.cluster.strip():
        raise ValidationError({"target_naics": "Name the target industries (NAICS codes) or a cluster."})
    _validate_partnership(partnership)
    if codes is not None:
        # Before the save, so that the history record it writes holds the new target industries.
        _set_target_industries(partnership, codes)
    partnership.save()
    if "convener" in changes:
        # The former convener stays a member, as a partner: the role convener is the convener's alone.
        Membership.objects.filter(partnership=partnership, role=MembershipRole.CONVENER).exclude(
            organization=partnership.convener
        ).update(role=MembershipRole.OTHER)
        Membership.objects.update_or_create(
            partnership=partnership,
            organization=partnership.convener,
            defaults={"role": MembershipRole.CONVENER},
        )
    return partnership


@transaction.atomic
def membership_add(
    *,
    partnership: SectorPartnership,
    organization: Organization,
    role: MembershipRole | str,
    representative: Person | None = None,
    joined_on: dt.date | None = None,
) -> Membership:
    if Membership.objects.filter(partnership=partnership, organization=organization).exists():
        raise ValidationError({"organization": f"{organization} is already a member of {partnership}."})
    membership = Membership(
        partnership=partnership,
        organization=organization,
        role=MembershipRole(role),
        representative=representative,
        joined_on=joined_on,
    )
    _validate_membership(membership)
    membership.save()
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: MembershipRole | str | None = None,
    representative: Person | None = None,
    joined_on: dt.date | None = None,
) -> Membership:
    if role is not None:
        membership.role = MembershipRole(role)
    if representative is not None:
        membership.representative = representative
    if joined_on is not None:
        membership.joined_on = joined_on
    _validate_membership(membership)
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.organization_id == membership.partnership.convener_id:
        raise ValidationError({"organization": "The convener cannot leave; change the convener first."})
    membership.delete()


def _validate_partnership(partnership: SectorPartnership) -> None:
    refuse_nulls(partnership)
    partnership.name = partnership.name.strip()
    partnership.cluster = partnership.cluster.strip()
    partnership.full_clean()
    refuse_duplicate_name(partnership, "a partnership")


def _validate_membership(membership: Membership) -> None:
    """The rules of a membership, whoever writes it (pages, API, imports).

    The role convener belongs to the organisation that convenes the partnership, and to no other; that
    organisation's membership keeps it. Handing a partnership over is a change of its convener
    (``partnership_update``), not a change of roles.
    """
    refuse_nulls(membership)
    membership.full_clean(validate_unique=False)
    errors = convener_role_error(
        role=membership.role, organization=membership.organization, partnership=membership.partnership
    )
    if errors:
        raise ValidationError(errors)


def convener_role_error(
    *, role: str, organization: Organization, partnership: SectorPartnership
) -> dict[str, str]:
    """The role convener is the convening organisation's alone, and its membership keeps it (a rule across
    the membership and its partnership; the bulk import asks it per row with the records it read)."""
    if role == MembershipRole.CONVENER and organization.pk != partnership.convener_id:
        return {
            "role": f"Only the partnership's convener ({partnership.convener}) has the role convener; "
            "to hand the partnership over, change its convener."
        }
    if organization.pk == partnership.convener_id and role != MembershipRole.CONVENER:
        return {
            "role": f"{organization} convenes {partnership}, so its role stays convener; "
            "change the partnership's convener first."
        }
    return {}


# --- Checks without saving, for bulk import (importing.py calls them; organisations: directory.services) ---


def membership_validate(*, membership: Membership) -> None:
    """The checks ``membership_add`` and ``membership_update`` make, without saving."""
    _validate_membership(membership)
