"""Forms of the grants pages (USWDS through ``core.forms.UswdsForm``); the services hold the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from sectorwise.core.forms import UswdsForm
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.grants.models import (
    NARRATIVE_SECTIONS,
    Application,
    AttachmentKind,
    CostCategory,
    Criterion,
    FundingSource,
    FundingSystem,
    GrantKind,
)
from sectorwise.grants.services import DEFAULT_RUBRIC, KIND_DEFAULTS, BudgetLineInput
from sectorwise.partnerships.models import Region, SectorPartnership


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


# Setting up the money and the calls (``grants.setup_views``) ------------------------------------------


def _money(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    """Dollars and cents, more than nothing (``Decimal``; at most 12 digits before the point)."""
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=required,
        help_text=help_text,
    )


def _naics_prefixes(raw: str) -> list[str]:
    return [code for code in (part.strip() for part in raw.replace(";", ",").split(",")) if code]


class FundingSourceForm(UswdsForm, forms.Form):
    """A system's money for one fiscal year and what it may pay for (an empty restriction: anything)."""

    name = forms.CharField(max_length=200, validators=SINGLE_LINE)
    system = forms.ChoiceField(label="Contributing system", choices=FundingSystem.choices)
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100, help_text="For example 2026.")
    amount = _money("Amount", help_text="Dollars, e.g. 300000.00.")
    allowed_regions = forms.ModelMultipleChoiceField(
        label="Allowed regions",
        queryset=Region.objects.none(),
        required=False,
        help_text="Only partnerships in these regions (none chosen: any region).",
    )
    allowed_naics = forms.CharField(
        label="Allowed industries",
        max_length=500,
        required=False,
        validators=SINGLE_LINE,
        help_text="NAICS prefixes of 2 to 6 digits, separated by commas, e.g. 31-33 as 31, 32, 33 "
        "(none: any industry).",
    )
    allowed_cost_categories = forms.MultipleChoiceField(
        label="Allowed cost categories",
        choices=CostCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any category.",
    )
    allowed_program_kinds = forms.MultipleChoiceField(
        label="Allowed kinds of grant",
        choices=GrantKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: both kinds.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed_regions"].queryset = Region.objects.order_by("name")  # type: ignore[attr-defined]  # a model choice

    def clean_allowed_naics(self) -> list[str]:
        return _naics_prefixes(self.cleaned_data["allowed_naics"])


def _limits_help() -> dict[str, str]:
    planning = KIND_DEFAULTS[GrantKind.PLANNING]
    implementation = KIND_DEFAULTS[GrantKind.IMPLEMENTATION]
    blank = "Blank: the kind's default, "
    return {
        "min_amount": f"{blank}${planning.min_amount:,.2f} (planning) or "
        f"${implementation.min_amount:,.2f} (implementation).",
        "max_amount": f"{blank}${planning.max_amount:,.2f} (planning) or "
        f"${implementation.max_amount:,.2f} (implementation).",
        "min_months": f"{blank}{planning.min_months} (planning) or {implementation.min_months} "
        "(implementation).",
        "max_months": f"{blank}{planning.max_months} (planning) or {implementation.max_months} "
        "(implementation).",
    }


class ProgramForm(UswdsForm, forms.Form):
    """A kind of grant with its limits: left blank, a limit is the kind's default (``KIND_DEFAULTS``)."""

    name = forms.CharField(max_length=200, validators=SINGLE_LINE)
    kind = forms.ChoiceField(choices=GrantKind.choices)
    min_amount = _money("Smallest award", required=False)
    max_amount = _money("Largest award", required=False)
    min_months = forms.IntegerField(
        label="Shortest duration (months)", min_value=1, max_value=120, required=False
    )
    max_months = forms.IntegerField(
        label="Longest duration (months)", min_value=1, max_value=120, required=False
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, text in _limits_help().items():
            self.fields[name].help_text = text
            self.fields[name].widget.attrs["aria-describedby"] = f"{self._element_id(name)}-hint"

    @staticmethod
    def initial_for(kind: str) -> dict[str, Any]:
        """The kind's default limits, to show in the form (``?kind=`` on the page)."""
        if kind not in GrantKind.values:
            return {}
        limits = KIND_DEFAULTS[GrantKind(kind)]
        return {
            "kind": kind,
            "min_amount": limits.min_amount,
            "max_amount": limits.max_amount,
            "min_months": limits.min_months,
            "max_months": limits.max_months,
        }


class ContributionForm(UswdsForm, forms.Form):
    """A source's pledge to a program (the service holds it within the source's balance)."""

    source = forms.ModelChoiceField(label="Funding source", queryset=FundingSource.objects.none())
    amount = _money(
        "Amount pledged", help_text="At most the source's balance; a second pledge replaces the first."
    )

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source_field: Any = self.fields["source"]
        source_field.queryset = sources
        source_field.label_from_instance = lambda source: f"{source} — balance ${source.balance:,.2f}"


class RoundForm(UswdsForm, forms.Form):
    """A call for applications: its dates, required attachments and rubric (``CRITERIA`` rows; the first
    ones hold the default rubric, where the industry assessment weighs 2 of 6: one third)."""

    CRITERIA = 8

    name = forms.CharField(max_length=200, validators=SINGLE_LINE)
    opens_on = forms.DateField(label="Opens on", help_text="YYYY-MM-DD")
    closes_on = forms.DateField(label="Closes on", help_text="YYYY-MM-DD")
    required_attachments = forms.MultipleChoiceField(
        label="Required attachments",
        choices=AttachmentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Kinds of attachment every application must carry to be submitted.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, self.CRITERIA + 1):
            self.fields[f"criterion_{number}"] = forms.CharField(
                label=f"Criterion {number}", max_length=200, required=False, validators=SINGLE_LINE
            )
            self.fields[f"weight_{number}"] = forms.DecimalField(
                label=f"Criterion {number}: weight",
                max_digits=6,
                decimal_places=2,
                min_value=Decimal("0.01"),
                required=False,
            )
            self.fields[f"guidance_{number}"] = forms.CharField(
                label=f"Criterion {number}: guidance for reviewers",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=MULTI_LINE,
            )
            self.fields[f"assessment_{number}"] = forms.BooleanField(
                label=f"Criterion {number} scores the industry assessment", required=False
            )
            # Added after UswdsForm's pass over the fields: their USWDS classes here (a plain checkbox).
            for prefix, css in (
                ("criterion", "usa-input"),
                ("weight", "usa-input"),
                ("guidance", "usa-textarea"),
            ):
                self.fields[f"{prefix}_{number}"].widget.attrs["class"] = css

    @classmethod
    def default_initial(cls) -> dict[str, Any]:
        """The default rubric (``services.DEFAULT_RUBRIC``) in the first rows."""
        initial: dict[str, Any] = {}
        for number, (name, guidance, weight, is_assessment) in enumerate(DEFAULT_RUBRIC, start=1):
            initial |= {
                f"criterion_{number}": name,
                f"guidance_{number}": guidance,
                f"weight_{number}": Decimal(str(weight)),
                f"assessment_{number}": is_assessment,
            }
        return initial

    def criteria_rows(self) -> list[list[forms.BoundField]]:
        """The criterion rows' fields, for the page to group each row in a fieldset."""
        return [
            [self[f"{prefix}_{n}"] for prefix in ("criterion", "weight", "guidance", "assessment")]
            for n in range(1, self.CRITERIA + 1)
        ]

    def criteria(self) -> list[tuple[str, str, Decimal, bool]]:
        data = self.cleaned_data
        return [
            (
                data[f"criterion_{n}"].strip(),
                data.get(f"guidance_{n}") or "",
                data[f"weight_{n}"],
                bool(data.get(f"assessment_{n}")),
            )
            for n in range(1, self.CRITERIA + 1)
            if (data.get(f"criterion_{n}") or "").strip()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: dict[str, int] = {}
        for n in range(1, self.CRITERIA + 1):
            name = (cleaned.get(f"criterion_{n}") or "").strip()
            weight = cleaned.get(f"weight_{n}")
            if not name:
                if weight is not None or cleaned.get(f"guidance_{n}") or cleaned.get(f"assessment_{n}"):
                    self.add_error(f"criterion_{n}", "Name the criterion, or clear its row.")
                continue
            if weight is None and f"weight_{n}" not in self.errors:
                self.add_error(f"weight_{n}", f"Give {name} a weight.")
            if name.casefold() in seen:
                self.add_error(f"criterion_{n}", f"{name} is criterion {seen[name.casefold()]} already.")
            seen.setdefault(name.casefold(), n)
        if not seen and not self.errors:
            self.add_error("criterion_1", "A round scores applications on at least one criterion.")
        return cleaned
