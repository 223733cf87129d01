"""Records of the registry. Row-level questions live here; anything spanning records is a service or selector.

Grants, technical assistance and outcomes (later issues) hang off ``SectorPartnership`` and ``Organization``
by foreign key, so these records keep stable integer ids and never encode workflow state beyond the stage.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from sectorwise.core.models import TimeStampedModel, name_not_blank_constraint, refuse_blank_name
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE, county_fips_validator, naics_validator
from sectorwise.directory.models import Organization, OrganizationType, Person


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


def stage_dates_error(*, stage: str, dates: dict[str, dt.date | None]) -> dict[str, str]:
    """The stages up to the current one were reached in their order: a stage's date is not before an earlier
    stage's. (Stages after the current one may keep older dates: a partnership can step back.)

    ``dates`` maps each stage's value to the date it was reached (None: not recorded)."""
    reached: tuple[Stage, dt.date] | None = None
    for each in Stage:
        date = dates.get(each.value)
        if date is not None:
            if reached is not None and date < reached[1]:
                return {
                    f"{each.value}_since": f"{each.label} since {date.isoformat()} is before "
                    f"{reached[0].label.lower()} since {reached[1].isoformat()}: a stage is reached after "
                    "the stages before it."
                }
            reached = (each, date)
        if each.value == stage:
            break
    return {}


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
        constraints = [name_not_blank_constraint("partnership")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        refuse_blank_name(self.name)
        errors = stage_dates_error(
            stage=self.stage, dates={stage.value: self.stage_reached_on(stage) for stage in Stage}
        )
        if errors:
            raise ValidationError(errors)

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


def employer_role_error(*, role: str, organization: Organization) -> dict[str, str]:
    """Employer roles (champion, member) are for employers: the partnership's health counts them as such."""
    if role in EMPLOYER_ROLES and organization.type != OrganizationType.EMPLOYER:
        return {"role": f"{organization} is not an employer; employer roles are for employers."}
    return {}


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

    def clean(self) -> None:
        if self.role and self.organization_id is not None:
            errors = employer_role_error(role=self.role, organization=self.organization)
            if errors:
                raise ValidationError(errors)

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
