"""Forms of the grants pages (USWDS through ``core.forms.UswdsForm``); the services hold the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from sectorwise.core.forms import UswdsForm
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.grants.models import NARRATIVE_SECTIONS, Application, AttachmentKind, CostCategory, Criterion
from sectorwise.grants.services import BudgetLineInput
from sectorwise.partnerships.models import SectorPartnership


class ApplicationStartForm(UswdsForm, forms.Form):
    partnership = forms.ModelChoiceField(queryset=SectorPartnership.objects.none())

    def __init__(self, *args: Any, partnerships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]  # a ModelChoiceField


class ApplicationForm(UswdsForm, forms.Form):
    """Every field optional here: a draft saves with fields missing; submission checks completeness."""

    title = forms.CharField(max_length=200, required=False, validators=SINGLE_LINE)
    requested_amount = forms.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    duration_months = forms.IntegerField(required=False, min_value=1, max_value=120)
    budget = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=MULTI_LINE,
        help_text="One line per budget line: category; amount; match; source of the match. Categories: "
        + ", ".join(CostCategory.values)
        + ".",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading in NARRATIVE_SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading, required=False, widget=forms.Textarea(attrs={"rows": 4}), validators=MULTI_LINE
            )
        for name, _ in NARRATIVE_SECTIONS:
            self.fields[name].widget.attrs["class"] = "usa-textarea"

    @staticmethod
    def initial_for(application: Application) -> dict[str, Any]:
        lines = "\n".join(
            f"{line.category}; {line.amount}; {line.match_amount}; {line.match_source}".rstrip("; ")
            for line in application.budget_lines.all()
        )
        fields = ["title", "requested_amount", "duration_months", *(name for name, _ in NARRATIVE_SECTIONS)]
        return {**{name: getattr(application, name) for name in fields}, "budget": lines}

    def clean_budget(self) -> list[BudgetLineInput]:
        lines = []
        for number, raw in enumerate(self.cleaned_data["budget"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [part.strip() for part in raw.split(";")]
            try:
                amount = Decimal(parts[1].replace(",", "").replace("$", ""))
                match = (
                    Decimal(parts[2].replace(",", "").replace("$", ""))
                    if len(parts) > 2 and parts[2]
                    else None
                )
            except (IndexError, InvalidOperation):
                raise forms.ValidationError(
                    f"Line {number}: write category; amount; match; source."
                ) from None
            lines.append(
                BudgetLineInput(
                    category=parts[0],
                    amount=amount,
                    match_amount=match if match is not None else Decimal("0.00"),
                    match_source=parts[3] if len(parts) > 3 else "",
                )
            )
        return lines

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["budget_lines"] = data.pop("budget")
        return data


class ScoreForm(UswdsForm, forms.Form):
    """A score and a comment for each criterion of the round."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} (weight {criterion.weight:g}, 0–{criterion.max_score})",
                min_value=0,
                max_value=criterion.max_score,
                required=False,
                help_text=criterion.guidance,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on {criterion.name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "usa-textarea"}),
                validators=MULTI_LINE,
            )
            score_widget = self.fields[f"score_{criterion.pk}"].widget
            score_widget.attrs["class"] = "usa-input"
            if criterion.guidance:
                score_widget.attrs["aria-describedby"] = f"id_score_{criterion.pk}-hint"


class AssignForm(UswdsForm, forms.Form):
    """Several reviewers to several applications at once (conflicted pairs left out by the service)."""

    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reviewers = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, applications: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications  # type: ignore[attr-defined]  # a model choice
        self.fields["reviewers"].queryset = reviewers  # type: ignore[attr-defined]  # a model choice
        reviewer_field: Any = self.fields["reviewers"]
        reviewer_field.label_from_instance = lambda user: user.get_full_name() or user.get_username()


class PaymentRequestForm(UswdsForm, forms.Form):
    """A reimbursement request: up to five expenditure lines by category; the amount is their sum."""

    note = forms.CharField(max_length=300, required=False, validators=SINGLE_LINE)

    LINES = 5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, self.LINES + 1):
            self.fields[f"category_{number}"] = forms.ChoiceField(
                label=f"Line {number}: category",
                choices=[("", "—"), *CostCategory.choices],
                required=False,
            )
            self.fields[f"amount_{number}"] = forms.DecimalField(
                label=f"Line {number}: amount",
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0.01"),
                required=False,
            )

    def lines(self) -> list[tuple[str, Decimal]]:
        data = self.cleaned_data
        return [
            (data[f"category_{n}"], data[f"amount_{n}"])
            for n in range(1, self.LINES + 1)
            if data.get(f"category_{n}") and data.get(f"amount_{n}") is not None
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for n in range(1, self.LINES + 1):
            if bool(cleaned.get(f"category_{n}")) != (cleaned.get(f"amount_{n}") is not None):
                self.add_error(f"amount_{n}", "Give both the category and the amount of a line.")
        return cleaned


class AttachmentForm(UswdsForm, forms.Form):
    kind = forms.ChoiceField(choices=AttachmentKind.choices)
    file = forms.FileField(help_text="PDF, Word (DOCX), Excel (XLSX), PNG or JPEG; at most 10 MiB.")
    vintage = forms.CharField(
        max_length=200,
        required=False,
        validators=SINGLE_LINE,
        help_text="For an industry assessment: the data it was built from (e.g. QCEW 2024 annual).",
    )
