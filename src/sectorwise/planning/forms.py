"""Forms of the planning pages (USWDS through ``core.forms.UswdsForm``). A form never loses what was typed:
on a service's ``ValidationError`` the view adds its messages to the bound form and renders it again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from sectorwise.core.forms import UswdsForm
from sectorwise.directory.models import Organization
from sectorwise.partnerships.models import Membership, SectorPartnership
from sectorwise.planning.models import Initiative, Priority, SelfAssessment, SustainabilityFunding
from sectorwise.planning.rubric import ANCHORS, INDICATOR_LABELS, Indicator, Phase

RANK_CHOICES = [("", "Not ranked")] + [(str(value), str(value)) for value in range(1, 6)]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _phase_choices(indicator: Indicator) -> list[tuple[str, str]]:
    return [(str(phase.value), f"{phase.label}: {ANCHORS[indicator][phase]}") for phase in Phase]


class AssessmentForm(UswdsForm, forms.Form):
    """The partnership's own scores: one phase-anchored choice per indicator (a draft may leave some out;
    submitting needs all six)."""

    assessed_on = forms.DateField(widget=DATE_INPUT, help_text="The date the partnership scored itself.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in Indicator:
            self.fields[indicator.value] = forms.TypedChoiceField(
                label=INDICATOR_LABELS[indicator],
                choices=_phase_choices(indicator),
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )

    def scores(self) -> dict[Indicator, int | None]:
        return {indicator: self.cleaned_data.get(indicator.value) or None for indicator in Indicator}

    @staticmethod
    def initial_of(assessment: SelfAssessment) -> dict[str, Any]:
        initial: dict[str, Any] = {"assessed_on": assessment.assessed_on, "notes": assessment.notes}
        for score in assessment.scores.all():
            initial[score.indicator] = str(score.self_score)
        return initial


class ReviewForm(UswdsForm, forms.Form):
    """State staff's review: each indicator's score kept (agree) or changed (adjust, with a comment)."""

    review_comment = forms.CharField(
        label="Comment to the partnership", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, assessment: SelfAssessment, **kwargs: Any) -> None:
        own = {score.indicator: score.self_score for score in assessment.scores.all()}
        # Django copies an empty ``initial`` (``initial or {}``): fill it before the form takes it.
        kwargs["initial"] = {
            **{key: str(value) for key, value in own.items()},
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        for indicator in Indicator:
            self.fields[indicator.value] = forms.TypedChoiceField(
                label=f"{INDICATOR_LABELS[indicator]} (the partnership said {own.get(indicator.value)})",
                choices=_phase_choices(indicator),
                coerce=int,
                widget=forms.Select(attrs={"class": "usa-select"}),
            )
            self.fields[f"comment_{indicator.value}"] = forms.CharField(
                label=f"Why adjusted ({INDICATOR_LABELS[indicator].lower()})",
                required=False,
                widget=forms.TextInput(attrs={"class": "usa-input"}),
            )

    def scores(self) -> dict[Indicator, int | None]:
        return {indicator: self.cleaned_data.get(indicator.value) for indicator in Indicator}

    def comments(self) -> dict[Indicator, str]:
        return {indicator: self.cleaned_data.get(f"comment_{indicator.value}", "") for indicator in Indicator}


class PriorityForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ("title", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RankingForm(UswdsForm, forms.Form):
    """One priority's rankings, one importance and one feasibility per employer member (employers hold no
    accounts: the convener enters what each employer said). Both blank: that employer has not ranked it."""

    def __init__(
        self, *args: Any, members: list[Membership], current: dict[int, tuple[int, int]], **kwargs: Any
    ) -> None:
        given = {}
        for membership_id, (importance, feasibility) in current.items():
            given[f"importance_{membership_id}"] = str(importance)
            given[f"feasibility_{membership_id}"] = str(feasibility)
        kwargs["initial"] = {**given, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            for part in ("importance", "feasibility"):
                name = f"{part}_{member.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{member.organization.name}: {part}",
                    choices=RANK_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.Select(attrs={"class": "usa-select"}),
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for member in self.members:
            importance, feasibility = (
                cleaned.get(f"importance_{member.pk}"),
                cleaned.get(f"feasibility_{member.pk}"),
            )
            if (importance is None) != (feasibility is None):
                raise ValidationError(
                    f"{member.organization.name}: give both importance and feasibility, or neither."
                )
        return cleaned

    def rankings(self) -> dict[int, tuple[int, int] | None]:
        result: dict[int, tuple[int, int] | None] = {}
        for member in self.members:
            importance = self.cleaned_data.get(f"importance_{member.pk}")
            feasibility = self.cleaned_data.get(f"feasibility_{member.pk}")
            result[member.pk] = (
                None if importance is None or feasibility is None else (importance, feasibility)
            )
        return result

    def rows(self) -> list[tuple[Membership, Any, Any]]:
        return [(m, self[f"importance_{m.pk}"], self[f"feasibility_{m.pk}"]) for m in self.members]


class InitiativeForm(UswdsForm, forms.ModelForm):
    owners = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Member organisations that carry it out.",
    )

    class Meta:
        model = Initiative
        fields = ("title", "description", "owners", "starts_on", "due_on", "status")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE_INPUT,
            "due_on": DATE_INPUT,
        }

    def __init__(self, *args: Any, partnership: SectorPartnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = self.fields["owners"]
        assert isinstance(owners, forms.ModelMultipleChoiceField)
        owners.queryset = (
            Organization.objects.filter(memberships__partnership=partnership).distinct().order_by("name")
        )


class FundingForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = SustainabilityFunding
        fields = ("source_name", "kind", "amount", "period_start", "period_end", "notes")
        widgets = {
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
