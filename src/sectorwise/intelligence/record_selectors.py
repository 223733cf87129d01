"""Reads of the intelligence app's own records (the stored assessments); the LMI reads are in
``selectors``."""

from __future__ import annotations

from django.db.models import QuerySet

from sectorwise.intelligence.models import PartnershipAssessment
from sectorwise.partnerships.models import SectorPartnership


def partnership_assessments(*, partnership: SectorPartnership) -> QuerySet[PartnershipAssessment]:
    """The partnership's stored assessments, newest first, without their files."""
    return PartnershipAssessment.objects.filter(partnership=partnership).defer("html", "xlsx", "pdf")


def partnership_assessment_get(*, partnership: SectorPartnership, pk: int) -> PartnershipAssessment | None:
    return PartnershipAssessment.objects.filter(partnership=partnership, pk=pk).first()
