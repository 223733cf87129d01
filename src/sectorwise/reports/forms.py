"""Forms of the reports pages."""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError

from sectorwise.core.forms import UswdsForm
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE

MAX_UPLOAD_BYTES: Final = 20 * 1024 * 1024


class DistrictPlanForm(UswdsForm, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        validators=SINGLE_LINE,
        help_text="E.g. State Senate districts (2022 plan).",
    )
    file = forms.FileField(
        label="Equivalence file (CSV or XLSX)",
        help_text="Columns district,county_fips and optionally share (the part of the county in the "
        "district, 0 to 1), or district,block (15-digit census block GEOIDs). At most 20 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=MULTI_LINE
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 20 MB.")
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError("Choose a .csv or .xlsx file.")
        return upload
