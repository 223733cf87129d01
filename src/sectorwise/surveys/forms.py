"""Forms of the surveys pages (``core.forms.UswdsForm``): a survey's settings, a custom question, the
contacts to invite, and the public answer form built from the standard instrument plus the survey's own
questions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from sectorwise.core.forms import UswdsForm
from sectorwise.surveys.instrument import QUESTION_TEXT, Change, Productivity, Quality, Satisfaction, Skill
from sectorwise.surveys.models import CustomKind, Survey, SurveyQuestion
from sectorwise.surveys.selectors import Contact
from sectorwise.surveys.services import Answers
from sectorwise.surveys.soc import parse_soc_codes


class SurveyForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = Survey
        fields = ("title", "period", "opens_on", "closes_on", "introduction")
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }


class QuestionForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = SurveyQuestion
        fields = ("text", "kind", "choices", "required")


class InviteForm(UswdsForm, forms.Form):
    contacts = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Employer contacts to invite",
        help_text="The people of the partnership's employer members, from the registry.",
    )

    def __init__(self, *args: Any, contacts: list[Contact], invited: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["contacts"]
        field.choices = [
            (
                c.person.pk,
                f"{c.person.first_name} {c.person.last_name}, {c.organization.name}"
                + (f" <{c.person.email}>" if c.person.email else " (no e-mail address)")
                + (" (already invited)" if c.person.pk in invited else ""),
            )
            for c in contacts
        ]


def _blank_first(choices: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    return [("", "Choose an answer"), *choices]


class AnswerForm(UswdsForm, forms.Form):
    """The standard instrument (every question optional: an employer may skip one) and the survey's own
    questions (required where the survey says so)."""

    turnover = forms.ChoiceField(choices=_blank_first(Change.choices), required=False)
    rework = forms.ChoiceField(choices=_blank_first(Change.choices), required=False)
    complaints = forms.ChoiceField(choices=_blank_first(Change.choices), required=False)
    quality_of_hires = forms.ChoiceField(choices=_blank_first(Quality.choices), required=False)
    productivity = forms.ChoiceField(choices=_blank_first(Productivity.choices), required=False)
    collaboration_value = forms.TypedChoiceField(
        choices=_blank_first(Satisfaction.choices), coerce=int, empty_value=None, required=False
    )
    time_to_fill_days = forms.IntegerField(min_value=0, max_value=3650, required=False)
    planned_hires = forms.IntegerField(min_value=0, max_value=1_000_000, required=False)
    hard_to_fill = forms.CharField(
        required=False,
        max_length=500,
        help_text="SOC codes separated by commas, for example 51-4041, 51-4121.",
    )
    skill_gaps = forms.MultipleChoiceField(
        choices=Skill.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    other_skill_gaps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000, label="Other skill gaps"
    )

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        self.questions = questions
        super().__init__(*args, **kwargs)
        for name, text in QUESTION_TEXT.items():
            if name in self.fields:
                self.fields[name].label = text
        for question in questions:
            name = f"q{question.pk}"
            field: forms.Field
            if question.kind == CustomKind.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
            elif question.kind == CustomKind.NUMBER:
                field = forms.DecimalField(max_digits=14, decimal_places=2)
            elif question.kind == CustomKind.CHOICE:
                field = forms.ChoiceField(choices=_blank_first([(o, o) for o in question.options]))
            else:
                field = forms.TypedChoiceField(
                    choices=_blank_first([(i, str(i)) for i in range(1, 6)]), coerce=int, empty_value=None
                )
            field.label = question.text
            field.required = question.required
            self.fields[name] = field
            if question.kind != CustomKind.CHOICE and question.kind != CustomKind.SCALE:
                self.fields[name].widget.attrs["class"] = (
                    "usa-textarea" if question.kind == CustomKind.TEXT else "usa-input"
                )
            else:
                self.fields[name].widget.attrs["class"] = "usa-select"

    def clean_hard_to_fill(self) -> list[str]:
        codes, errors = parse_soc_codes(self.cleaned_data.get("hard_to_fill") or "")
        if errors:
            raise forms.ValidationError(errors)
        return codes

    def answers(self) -> Answers:
        data = self.cleaned_data
        standard = {
            name: data.get(name)
            for name in (
                "turnover",
                "rework",
                "complaints",
                "quality_of_hires",
                "productivity",
                "collaboration_value",
                "time_to_fill_days",
                "planned_hires",
                "other_skill_gaps",
            )
        }
        custom: dict[int, Any] = {}
        for question in self.questions:
            value = data.get(f"q{question.pk}")
            if isinstance(value, Decimal) or value not in (None, ""):
                custom[question.pk] = value
        return Answers(
            standard=standard,
            hard_to_fill=list(data.get("hard_to_fill") or []),
            skill_gaps=list(data.get("skill_gaps") or []),
            custom=custom,
        )
