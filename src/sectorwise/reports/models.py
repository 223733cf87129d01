"""The reports app's records: legislative district equivalence files.

A state that wants the legislative report by district loads a district-to-county equivalence file (CSV
``district,county_fips[,share]``; nothing is bundled): a ``DistrictPlan`` (the file's name, who loaded it,
when) with one ``DistrictCounty`` row per district and county. ``share`` is the part of the county that lies
in the district (1 when the county is wholly inside; a split county appears under several districts whose
shares add up to at most 1). A plan is replaced, never edited: load the new file as a new plan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from sectorwise.core.models import TimeStampedModel, name_not_blank_constraint, refuse_blank_name
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE, county_fips_validator

WHOLE: Final = Decimal("1")


class DistrictPlan(TimeStampedModel):
    """One loaded district-to-county equivalence file (e.g. "State Senate districts 2022")."""

    name = models.CharField(max_length=200, unique=True, validators=SINGLE_LINE)
    source_file = models.CharField(max_length=255, blank=True, validators=SINGLE_LINE)
    notes = models.TextField(blank=True, validators=MULTI_LINE)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [name_not_blank_constraint("district_plan")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        refuse_blank_name(self.name)


class DistrictCounty(models.Model):
    """The share of one county that lies in one district of a plan."""

    plan = models.ForeignKey(DistrictPlan, on_delete=models.CASCADE, related_name="counties")
    district = models.CharField(max_length=50, validators=SINGLE_LINE)
    county_fips = models.CharField(max_length=5, validators=[county_fips_validator])
    share = models.DecimalField(max_digits=7, decimal_places=6, default=WHOLE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "district", "county_fips"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "district", "county_fips"], name="district_county_unique"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1), name="district_county_share_in_0_1"
            ),
            models.CheckConstraint(condition=~Q(district__regex=r"^\s*$"), name="district_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.county_fips} ({self.share})"
