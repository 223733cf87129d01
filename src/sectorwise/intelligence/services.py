"""Writes of the intelligence app: keyword-only, each owning its transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sectorwise.intelligence import selectors
from sectorwise.intelligence.models import PartnershipAssessment
from sectorwise.partnerships.models import SectorPartnership

#: The formats stored with each attached assessment.
STORED_FORMATS = ("html", "xlsx", "pdf")
#: NAICS digits of a target code -> the ranking level its assessment ranks.
_LEVEL_OF_DIGITS = {2: "sector", 3: "naics3", 4: "naics4", 5: "naics5", 6: "naics6"}


def assessment_level(targets: list[str]) -> str:
    """The level an assessment ranks for these targets: that of most of them (ties to the finer one; sector
    codes written 31-33 count as sectors); the ranking's default without targets."""
    if not targets:
        return selectors.DEFAULT_RANKING_LEVEL
    digits = [2 if "-" in code else len(code) for code in targets]
    most = max(sorted(set(digits), reverse=True), key=digits.count)
    return _LEVEL_OF_DIGITS.get(most, selectors.DEFAULT_RANKING_LEVEL)


def partnership_assessment_create(*, partnership: SectorPartnership, user: Any) -> PartnershipAssessment:
    """Generate the industry assessment of ``partnership``'s region (the page's default weights; its target
    industries' ranks in the notes) and store it with its data vintage. ValidationError (naming why) when
    it cannot be generated: no data loaded for the region, the warehouse being updated ..."""
    targets = list(partnership.target_industries.values_list("naics_code", flat=True))
    try:
        region = selectors.region_resolve(key=f"registry:{partnership.region_id}")
    except selectors.UnknownRegion as error:
        raise ValidationError(f"The partnership's region cannot be used: {error}.") from error
    bundle = selectors.assessment_bundle(
        region=region,
        level=assessment_level(targets),
        weights=None,
        formats=STORED_FORMATS,
        focus=targets,
    )
    if isinstance(bundle, selectors.Unavailable):
        raise ValidationError(bundle.note)
    with transaction.atomic():
        stored = PartnershipAssessment(
            partnership=partnership,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            region_name=bundle.region_name,
            counties=list(bundle.counties),
            target_industries=targets,
            level=bundle.level,
            period=bundle.period,
            vintage=bundle.vintage,
            **{fmt: bundle.files[fmt] for fmt in STORED_FORMATS},
        )
        stored.full_clean()
        stored.save()
    return stored
