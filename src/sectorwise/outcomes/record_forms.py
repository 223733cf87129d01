"""Forms of the record pages (custom indicators and their values, systems change, testimonials) and of the
progress-report import (``record_views``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from sectorwise.core.forms import UswdsForm
from sectorwise.core.tabular.reader import TableFormat
from sectorwise.outcomes.forms import MAX_UPLOAD_BYTES
from sectorwise.outcomes.models import CustomIndicator, SystemsChange, Testimonial


class CustomIndicatorForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = CustomIndicator
        fields = ("name", "unit", "target")
        help_texts = {
            "unit": "What a value counts, e.g. apprentices, employers, dollars.",
            "target": "What the partnership aims for over the grant period (the quarters' values add up).",
        }


class IndicatorValuesForm(UswdsForm, forms.Form):
    """One optional decimal field per indicator of the partnership (``indicator_<id>``)."""

    def __init__(
        self, *args: Any, indicators: list[CustomIndicator], initial_values: dict[int, Decimal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=str(indicator),
                required=False,
                max_digits=14,
                decimal_places=2,
                initial=initial_values.get(indicator.pk),
                help_text=f"Target {indicator.target:,}" if indicator.target is not None else "",
            )

    def values(self) -> dict[int, Decimal | None]:
        return {indicator.pk: self.cleaned_data[f"indicator_{indicator.pk}"] for indicator in self.indicators}


class SystemsChangeForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = SystemsChange
        fields = ("kind", "description", "evidence", "occurred_on")
        widgets = {"occurred_on": forms.DateInput(attrs={"type": "date"})}


class TestimonialForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = Testimonial
        fields = ("quote", "attributed_to", "consent_to_publish", "consent_on")
        widgets = {"consent_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "consent_to_publish": "Only quotes whose speaker consented are ever shown publicly.",
            "consent_on": "The date they consented (required with the consent).",
        }


class ProgressImportForm(UswdsForm, forms.Form):
    file = forms.FileField(
        label="File (CSV or XLSX)",
        help_text="The first row names the columns. At most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in {table_format.value for table_format in TableFormat}:
            raise ValidationError(f"{upload.name}: choose a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"{upload.name} is larger than 10 MB; split it.")
        return upload
