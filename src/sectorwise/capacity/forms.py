"""Forms of the capacity pages (USWDS through ``core.forms.UswdsForm``); the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from sectorwise.capacity.models import Audience, EventKind, LearningNetwork, NetworkRole, ResourceKind
from sectorwise.capacity.services import ALLOWED_EXTENSIONS, MAX_RESOURCE_BYTES
from sectorwise.capacity.topics import TA_TOPICS
from sectorwise.core.forms import UswdsForm
from sectorwise.core.roles import STATE_ROLES
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.directory.models import Organization, OrganizationType, Person
from sectorwise.partnerships.models import SectorPartnership


def _topics_field(*, required: bool = False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Topics", choices=TA_TOPICS, required=required, widget=forms.CheckboxSelectMultiple
    )


class TaRequestForm(UswdsForm, forms.Form):
    topic = forms.ChoiceField(choices=TA_TOPICS)
    description = forms.CharField(
        label="What do you need help with?",
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=MULTI_LINE,
        max_length=4000,
    )


class TaEngagementForm(UswdsForm, forms.Form):
    title = forms.CharField(max_length=200, validators=SINGLE_LINE)
    topic = forms.ChoiceField(choices=TA_TOPICS)
    provider_user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Provider (state staff)", queryset=Organization.objects.none(), required=False
    )  # the queryset (state staff users) is set in __init__
    provider_organization = forms.ModelChoiceField(
        label="Provider (contractor organisation)",
        queryset=Organization.objects.exclude(type=OrganizationType.EMPLOYER).order_by("name"),
        required=False,
    )
    partnerships = forms.ModelMultipleChoiceField(
        queryset=SectorPartnership.objects.order_by("name"),
        required=False,
        help_text="The request's partnership is always included.",
    )
    hours = forms.DecimalField(max_digits=7, decimal_places=2, min_value=0, initial=0)
    starts_on = forms.DateField(help_text="YYYY-MM-DD")
    ends_on = forms.DateField(required=False, help_text="YYYY-MM-DD")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sectorwise.accounts.models import User

        self.fields["provider_user"].queryset = User.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField
            role__in=STATE_ROLES, is_active=True
        ).order_by("username")


class TaEngagementUpdateForm(UswdsForm, forms.Form):
    hours = forms.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    ends_on = forms.DateField(required=False, help_text="YYYY-MM-DD")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE)


class FollowUpForm(UswdsForm, forms.Form):
    description = forms.CharField(label="Follow-up", max_length=300, validators=SINGLE_LINE)
    due_on = forms.DateField(help_text="YYYY-MM-DD")


class EventForm(UswdsForm, forms.Form):
    kind = forms.ChoiceField(choices=EventKind.choices)
    title = forms.CharField(max_length=200, validators=SINGLE_LINE)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE
    )
    topics = _topics_field()
    starts_at = forms.DateTimeField(label="Starts", help_text="YYYY-MM-DD HH:MM (local time)")
    ends_at = forms.DateTimeField(label="Ends", help_text="YYYY-MM-DD HH:MM (local time)")
    place = forms.CharField(max_length=300, required=False, validators=SINGLE_LINE)
    link = forms.URLField(
        required=False, assume_scheme="https", help_text="For an online event: where to join."
    )
    capacity = forms.IntegerField(min_value=1, max_value=100000)
    is_public = forms.BooleanField(label="List on the public events page", required=False)
    learning_network = forms.ModelChoiceField(
        queryset=LearningNetwork.objects.order_by("name"),
        required=False,
        help_text="Only for a learning-network session.",
    )


class LearningNetworkForm(UswdsForm, forms.Form):
    name = forms.CharField(max_length=200, validators=SINGLE_LINE)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE
    )
    topics = _topics_field()
    starts_on = forms.DateField(help_text="YYYY-MM-DD")
    ends_on = forms.DateField(help_text="YYYY-MM-DD")


class NetworkMemberForm(UswdsForm, forms.Form):
    partnership = forms.ModelChoiceField(queryset=SectorPartnership.objects.order_by("name"))
    role = forms.ChoiceField(choices=NetworkRole.choices)
    person = forms.ModelChoiceField(label="Person (optional)", queryset=Person.objects.all(), required=False)


class EmailRegistrationForm(UswdsForm, forms.Form):
    name = forms.CharField(max_length=200, validators=SINGLE_LINE)
    email = forms.EmailField(label="E-mail address")


class SelfRegistrationForm(UswdsForm, forms.Form):
    partnership = forms.ModelChoiceField(
        label="Coming for (optional)", queryset=SectorPartnership.objects.none(), required=False
    )

    def __init__(self, *args: Any, partnerships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]  # a ModelChoiceField


class PersonRegistrationForm(UswdsForm, forms.Form):
    prefix = "staff"  # beside the self-registration form on one page
    person = forms.ModelChoiceField(label="Person from the directory", queryset=Person.objects.all())
    partnership = forms.ModelChoiceField(
        label="Coming for (optional)", queryset=SectorPartnership.objects.order_by("name"), required=False
    )


class ResourceForm(UswdsForm, forms.Form):
    title = forms.CharField(max_length=200, validators=SINGLE_LINE)
    kind = forms.ChoiceField(choices=ResourceKind.choices)
    audience = forms.ChoiceField(choices=Audience.choices)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE
    )
    topics = _topics_field()
    is_public = forms.BooleanField(label="Public (anyone may see it)", required=False)
    link = forms.URLField(
        required=False, assume_scheme="https", help_text="A link, or upload a file below (one of the two)."
    )
    file = forms.FileField(
        required=False,
        help_text=f"{', '.join(ALLOWED_EXTENSIONS)}; at most {MAX_RESOURCE_BYTES // (1024 * 1024)} MB.",
    )


class ResourceSearchForm(UswdsForm, forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, validators=SINGLE_LINE)
    topic = forms.ChoiceField(label="Topic", choices=[("", "Any topic"), *TA_TOPICS], required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Any kind"), *ResourceKind.choices], required=False)

    def filters(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q", "") or "",
            "topic": data.get("topic", "") or "",
            "kind": data.get("kind", "") or "",
        }
