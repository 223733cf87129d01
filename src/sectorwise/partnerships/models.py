"""Records of the registry. Row-level questions live here; anything spanning records is a service or selector.

Grants, technical assistance and outcomes (later issues) hang off ``SectorPartnership`` and ``Organization``
by foreign key, so these records keep stable integer ids and never encode workflow state beyond the stage.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from sectorwise.core.models import TimeStampedModel
from sectorwise.core.validators import no_control_characters, no_control_characters_multiline

# \A...\Z and [0-9]: "$" would let a trailing line break through and "\d" any script's digits.
county_fips_validator = RegexValidator(r"\A[0-9]{5}\Z", "A county FIPS code is five digits, e.g. 50007.")
naics_validator = RegexValidator(r"\A[0-9]{2,6}\Z", "A NAICS code is 2 to 6 digits, e.g. 31 or 336411.")

SINGLE_LINE = [no_control_characters]
MULTI_LINE = [no_control_characters_multiline]


def _name_not_blank(model_name: str) -> models.CheckConstraint:
    """A name of spaces alone cannot be looked up, exported and imported again."""
    return models.CheckConstraint(
        condition=~models.Q(name__regex=r"^\s*$"), name=f"{model_name}_name_not_blank"
    )


def _refuse_blank_name(name: str | None) -> None:
    if name is not None and not name.strip():
        raise ValidationError({"name": "A name cannot be blank."})


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
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["type"]), models.Index(fields=["county_fips"])]
        constraints = [_name_not_blank("organization")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _refuse_blank_name(self.name)

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
    organizations = models.ManyToManyField(Organization, through="Affiliation", related_name="people")
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Affiliation(TimeStampedModel):
    """A person acting for an organisation, with their title there."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="affiliations")
    title = models.CharField(max_length=150, blank=True, validators=SINGLE_LINE)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="affiliation_unique_person_org")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organization}"


class RegionSource(models.TextChoices):
    HAND = "hand", "Drawn by hand"
    DELINEATION = "delineation", "Commuting-zone delineation"
    REGION_SET = "region_set", "Published region set"


class RegionCountiesHistory(models.Model):
    """What a region's historical record adds to its fields: the counties it had then (``RegionCounty`` rows
    are its children, so a change of counties is a change of the region in its history)."""

    # NULL in records written before counties were recorded: unknown then, not "none".
    county_fips = models.TextField(null=True, blank=True, default=None, verbose_name="counties")  # noqa: DJ001

    class Meta:
        abstract = True


class Region(TimeStampedModel):
    """A named set of counties (see ``RegionCounty``)."""

    name = models.CharField(max_length=150, unique=True, validators=SINGLE_LINE)
    source = models.CharField(max_length=20, choices=RegionSource.choices, default=RegionSource.HAND)
    source_detail = models.CharField(
        max_length=200,
        blank=True,
        validators=SINGLE_LINE,
        help_text="Which delineation or region set, and which zone of it.",
    )
    description = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords(bases=[RegionCountiesHistory])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def county_fips_list(self) -> list[str]:
        """The member counties' FIPS codes, sorted (uses prefetched counties when present)."""
        return sorted(county.county_fips for county in self.counties.all())


class RegionCounty(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="counties")
    county_fips = models.CharField(max_length=5, validators=[county_fips_validator])

    class Meta:
        ordering = ["county_fips"]
        constraints = [models.UniqueConstraint(fields=["region", "county_fips"], name="region_county_unique")]
        indexes = [models.Index(fields=["county_fips"])]
        verbose_name_plural = "region counties"

    def __str__(self) -> str:
        return self.county_fips


class Stage(models.TextChoices):
    EXPLORING = "exploring", "Exploring"
    PLANNING = "planning", "Planning"
    IMPLEMENTATION = "implementation", "Implementation"
    SUSTAINING = "sustaining", "Sustaining"


STAGE_ORDER: tuple[Stage, ...] = (Stage.EXPLORING, Stage.PLANNING, Stage.IMPLEMENTATION, Stage.SUSTAINING)


class TargetIndustriesHistory(models.Model):
    """What a partnership's historical record adds to its fields: its target industries then."""

    # NULL in records written before target industries were recorded: unknown then, not "none".
    target_naics = models.TextField(  # noqa: DJ001 (NULL means unknown, "" means none)
        null=True, blank=True, default=None, verbose_name="target industries"
    )

    class Meta:
        abstract = True


class SectorPartnership(TimeStampedModel):
    """A regional partnership around one industry (target NAICS codes in ``TargetIndustry``, or a cluster)."""

    name = models.CharField(max_length=200, validators=SINGLE_LINE)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="partnerships")
    convener = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="convened_partnerships")
    cluster = models.CharField(
        max_length=150,
        blank=True,
        validators=SINGLE_LINE,
        help_text="An industry cluster, when the target is named that way.",
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EXPLORING)
    # The date each stage was reached: a partnership's history of stages at a glance, and the basis of
    # later issues' questions such as "time from planning grant to implementation".
    exploring_since = models.DateField(null=True, blank=True)
    planning_since = models.DateField(null=True, blank=True)
    implementation_since = models.DateField(null=True, blank=True)
    sustaining_since = models.DateField(null=True, blank=True)
    goals = models.TextField(blank=True, validators=MULTI_LINE)
    description = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords(bases=[TargetIndustriesHistory])

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["stage"]), models.Index(fields=["name"])]
        constraints = [_name_not_blank("partnership")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _refuse_blank_name(self.name)

    def stage_reached_on(self, stage: Stage | str) -> dt.date | None:
        value: dt.date | None = getattr(self, f"{Stage(stage).value}_since")
        return value

    @property
    def target_naics_codes(self) -> list[str]:
        """Target NAICS codes, sorted (uses prefetched industries when present)."""
        return sorted(industry.naics_code for industry in self.target_industries.all())


class TargetIndustry(models.Model):
    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.CASCADE, related_name="target_industries"
    )
    naics_code = models.CharField(max_length=6, validators=[naics_validator])

    class Meta:
        ordering = ["naics_code"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "naics_code"], name="target_industry_unique")
        ]
        indexes = [models.Index(fields=["naics_code"])]
        verbose_name_plural = "target industries"

    def __str__(self) -> str:
        return self.naics_code


class MembershipRole(models.TextChoices):
    CONVENER = "convener", "Convener"
    EMPLOYER_CHAMPION = "employer_champion", "Employer champion or co-chair"
    EMPLOYER_MEMBER = "employer_member", "Employer member"
    EDUCATION_PARTNER = "education_partner", "Education or training partner"
    LABOR_PARTNER = "labor_partner", "Labor partner"
    COMMUNITY_PARTNER = "community_partner", "Community partner"
    PUBLIC_PARTNER = "public_partner", "Public partner"
    OTHER = "other", "Other"


EMPLOYER_ROLES = frozenset({MembershipRole.EMPLOYER_CHAMPION, MembershipRole.EMPLOYER_MEMBER})


class Membership(TimeStampedModel):
    partnership = models.ForeignKey(SectorPartnership, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=24, choices=MembershipRole.choices)
    representative = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Who represents the organization in the partnership.",
    )
    joined_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "role", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organization"], name="membership_unique_org")
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.partnership} ({self.get_role_display()})"

    @property
    def is_employer_role(self) -> bool:
        return self.role in EMPLOYER_ROLES


HISTORY_SEPARATOR = ", "
"""Between the codes of a historical record's ``target_naics`` and ``county_fips``."""


def child_codes_for_history(instance: object) -> dict[str, str]:
    """The historical-record fields that hold a partnership's target industries or a region's counties, as
    they are in the database now (not a prefetched list that may be stale)."""
    if isinstance(instance, SectorPartnership) and instance.pk is not None:
        codes = TargetIndustry.objects.filter(partnership_id=instance.pk).values_list("naics_code", flat=True)
        return {"target_naics": HISTORY_SEPARATOR.join(sorted(codes))}
    if isinstance(instance, Region) and instance.pk is not None:
        counties = RegionCounty.objects.filter(region_id=instance.pk).values_list("county_fips", flat=True)
        return {"county_fips": HISTORY_SEPARATOR.join(sorted(counties))}
    return {}


@receiver(pre_create_historical_record)
def _record_child_codes(sender: type, instance: object, history_instance: models.Model, **_: object) -> None:
    """Target industries and counties are child rows; their parent's history record carries them, so that
    a change of them is shown as a change of the partnership or region. The services write the children
    before they save the parent."""
    for name, value in child_codes_for_history(instance).items():
        setattr(history_instance, name, value)
