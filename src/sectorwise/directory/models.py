"""People and organisations: the records that partnerships, users and (later) grants and outcomes point to.

The models moved here from ``partnerships``; their tables keep their old names (``Meta.db_table``, the
history tables' ``table_name``), so databases made before the move keep every row, id and history record
without copying anything (see ``migrations/0001_initial.py``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from sectorwise.core.models import TimeStampedModel, name_not_blank_constraint, refuse_blank_name
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE, county_fips_validator, naics_validator


class OrganizationType(models.TextChoices):
    EMPLOYER = "employer", "Employer"
    EDUCATION_TRAINING = "education_training", "Education or training provider"
    COLLEGE = "college", "College"
    LABOR = "labor", "Labor organization"
    COMMUNITY = "community", "Community organization"
    WORKFORCE_BOARD = "workforce_board", "Workforce board"
    CHAMBER = "chamber", "Chamber of commerce"
    ECONOMIC_DEVELOPMENT = "economic_development", "Economic development organization"
    GOVERNMENT = "government", "Government agency"
    OTHER = "other", "Other"


class SizeBand(models.TextChoices):
    """BLS QCEW employment size classes (size_code 1-9); ``SIZE_BAND_EMPLOYMENT`` estimates each."""

    UNDER_5 = "1", "Fewer than 5 employees"
    FROM_5 = "2", "5 to 9 employees"
    FROM_10 = "3", "10 to 19 employees"
    FROM_20 = "4", "20 to 49 employees"
    FROM_50 = "5", "50 to 99 employees"
    FROM_100 = "6", "100 to 249 employees"
    FROM_250 = "7", "250 to 499 employees"
    FROM_500 = "8", "500 to 999 employees"
    FROM_1000 = "9", "1,000 or more employees"


SIZE_BAND_EMPLOYMENT: dict[str, int] = {
    # The midpoint of each class; for the open-ended class, a conservative 1,500.
    SizeBand.UNDER_5: 2,
    SizeBand.FROM_5: 7,
    SizeBand.FROM_10: 15,
    SizeBand.FROM_20: 35,
    SizeBand.FROM_50: 75,
    SizeBand.FROM_100: 175,
    SizeBand.FROM_250: 375,
    SizeBand.FROM_500: 750,
    SizeBand.FROM_1000: 1500,
}


# Single-row rules: pure functions of field values, so that ``clean()`` (the admin, pages, API) and the bulk
# import (row by row, without building a model) ask the same function and give the same message.

SIZE_BAND_ONLY_FOR_EMPLOYERS = "Only employers have a size band."


def size_band_error(*, type: str, size_band: str) -> dict[str, str]:
    """A size band describes an employer's workforce (QCEW size classes); other organisations have none."""
    if size_band and type != OrganizationType.EMPLOYER:
        return {"size_band": SIZE_BAND_ONLY_FOR_EMPLOYERS}
    return {}


def size_band_only_for_employers_constraint() -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(size_band="") | models.Q(type=OrganizationType.EMPLOYER),
        name="organization_size_band_only_for_employers",
        violation_error_message=SIZE_BAND_ONLY_FOR_EMPLOYERS,
    )


class Organization(TimeStampedModel):
    name = models.CharField(max_length=200, validators=SINGLE_LINE)
    type = models.CharField(max_length=32, choices=OrganizationType.choices)
    street_address = models.CharField(max_length=200, blank=True, validators=SINGLE_LINE)
    city = models.CharField(max_length=100, blank=True, validators=SINGLE_LINE)
    state = models.CharField(
        max_length=2, blank=True, validators=SINGLE_LINE, help_text="Two-letter postal code."
    )
    postal_code = models.CharField(max_length=10, blank=True, validators=SINGLE_LINE)
    county_fips = models.CharField(
        max_length=5,
        blank=True,
        validators=[county_fips_validator],
        help_text="County of the address (FIPS).",
    )
    naics_code = models.CharField(
        max_length=6,
        blank=True,
        validators=[naics_validator],
        verbose_name="NAICS code",
        help_text="Employers: the industry the organization works in.",
    )
    size_band = models.CharField(
        max_length=1,
        choices=SizeBand.choices,
        blank=True,
        help_text="Employers: employment size class.",
    )
    website = models.URLField(blank=True, validators=SINGLE_LINE)
    email = models.EmailField(blank=True, help_text="Contact email (never shown to the public).")
    phone = models.CharField(
        max_length=30,
        blank=True,
        validators=SINGLE_LINE,
        help_text="Contact phone (never shown to the public).",
    )
    description = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords(table_name="partnerships_historicalorganization")

    class Meta:
        db_table = "partnerships_organization"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["type"]), models.Index(fields=["county_fips"])]
        constraints = [name_not_blank_constraint("organization"), size_band_only_for_employers_constraint()]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        refuse_blank_name(self.name)
        errors = size_band_error(type=self.type, size_band=self.size_band)
        if errors:
            raise ValidationError(errors)

    @property
    def is_employer(self) -> bool:
        return self.type == OrganizationType.EMPLOYER

    @property
    def estimated_employment(self) -> int | None:
        """An estimate from the size band (its midpoint), not a count: None when no band is recorded."""
        return SIZE_BAND_EMPLOYMENT.get(self.size_band) if self.size_band else None


class Person(TimeStampedModel):
    """A contact: a person who acts for one or more organisations. Contact details are never public."""

    first_name = models.CharField(max_length=100, validators=SINGLE_LINE)
    last_name = models.CharField(max_length=100, validators=SINGLE_LINE)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True, validators=SINGLE_LINE)
    organizations: models.ManyToManyField[Organization, Affiliation] = models.ManyToManyField(
        Organization, through="Affiliation", related_name="people"
    )
    history = HistoricalRecords(table_name="partnerships_historicalperson")

    class Meta:
        db_table = "partnerships_person"
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Affiliation(TimeStampedModel):
    """A person acting for an organisation, with their title there."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="affiliations")
    title = models.CharField(max_length=150, blank=True, validators=SINGLE_LINE)
    history = HistoricalRecords(table_name="partnerships_historicalaffiliation")

    class Meta:
        db_table = "partnerships_affiliation"
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="affiliation_unique_person_org")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organization}"
