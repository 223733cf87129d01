"""The organisation form of the registry's pages: it parses and checks input; ``services.py`` writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from sectorwise.core.forms import UswdsForm
from sectorwise.directory.models import Organization, SizeBand
from sectorwise.directory.services import ORGANIZATION_FIELDS


def _organization_formfield(model_field: Any, **kwargs: Any) -> forms.Field | None:
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a website typed without a scheme is an https one
    formfield: forms.Field | None = model_field.formfield(**kwargs)
    return formfield


class OrganizationForm(UswdsForm, forms.ModelForm):
    class Meta:
        formfield_callback = _organization_formfield
        model = Organization
        fields = list(ORGANIZATION_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {"county_fips": "County (FIPS code)", "state": "State"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        size_band = self.fields["size_band"]
        assert isinstance(size_band, forms.ChoiceField)
        size_band.choices = [("", "Not recorded"), *SizeBand.choices]  # instead of Django's "---------"

    def changes(self) -> dict[str, Any]:
        """The service's keyword arguments (``organization_create`` / ``organization_update``)."""
        return {name: value for name, value in self.cleaned_data.items() if name in ORGANIZATION_FIELDS}
