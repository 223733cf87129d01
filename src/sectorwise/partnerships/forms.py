"""Forms of the registry's pages: they parse and check input; the writes are services' (``services.py``)."""

from __future__ import annotations

import re
from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError

from sectorwise.core.forms import UswdsForm
from sectorwise.core.tabular.reader import TableFormat
from sectorwise.directory.models import Organization, OrganizationType
from sectorwise.lmi.codes import RANGE_SECTORS
from sectorwise.partnerships.importing import ImportKind
from sectorwise.partnerships.models import MembershipRole, Region, SectorPartnership, Stage

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
_CODE_SEPARATORS: Final = re.compile(r"[\s,;]+")


class PartnershipFilterForm(UswdsForm, forms.Form):
    """The list's filters (GET). Invalid values are dropped rather than failing the page."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    region = forms.ModelChoiceField(label="Region", queryset=Region.objects.order_by("name"), required=False)
    industry = forms.CharField(
        label="Industry (NAICS code)",
        required=False,
        max_length=6,
        help_text="A sector or finer code: 31 (or 31-33) finds every manufacturing partnership.",
    )
    stage = forms.ChoiceField(label="Stage", choices=[("", "Any stage"), *Stage.choices], required=False)
    convener_type = forms.ChoiceField(
        label="Convener type", choices=[("", "Any type"), *OrganizationType.choices], required=False
    )

    def clean_industry(self) -> str:
        value: str = self.cleaned_data.get("industry", "").strip()
        if value and not (re.fullmatch(r"\d{2,6}", value) or value in RANGE_SECTORS):
            raise ValidationError("A NAICS code is 2 to 6 digits or a sector such as 31-33, e.g. 31 or 3364.")
        return value

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.partnership_list`` from the valid fields only."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        region = data.get("region")
        return {
            "search": data.get("q", "") or "",
            "region_id": region.pk if region else None,
            "naics": data.get("industry", "") or "",
            "stage": data.get("stage", "") or "",
            "convener_type": data.get("convener_type", "") or "",
        }


class PartnershipForm(UswdsForm, forms.Form):
    """Create or edit a partnership. Conveners may not hand the partnership to another convener."""

    name = forms.CharField(max_length=200)
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"))
    convener = forms.ModelChoiceField(
        queryset=Organization.objects.exclude(type=OrganizationType.EMPLOYER).order_by("name"),
        help_text="The neutral organisation that convenes the partnership (not an employer).",
    )
    target_naics = forms.CharField(
        label="Target industries (NAICS codes)",
        required=False,
        max_length=200,
        help_text="Separate codes with commas or spaces, e.g. 3364, 3329. Or name a cluster below.",
    )
    cluster = forms.CharField(label="Industry cluster", required=False, max_length=150)
    stage = forms.ChoiceField(choices=Stage.choices)
    stage_since = forms.DateField(
        label="Stage reached on",
        required=False,
        help_text="When the partnership reached the stage (YYYY-MM-DD); today when left blank.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    goals = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, may_change_convener: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_change_convener:
            self.fields["convener"].disabled = True
            self.fields["convener"].help_text = "Only state staff can change the convener."

    @classmethod
    def initial_for(cls, partnership: SectorPartnership) -> dict[str, Any]:
        return {
            "name": partnership.name,
            "region": partnership.region_id,
            "convener": partnership.convener_id,
            "target_naics": ", ".join(partnership.target_naics_codes),
            "cluster": partnership.cluster,
            "stage": partnership.stage,
            "stage_since": partnership.stage_reached_on(partnership.stage),
            "goals": partnership.goals,
            "description": partnership.description,
        }

    def clean_target_naics(self) -> list[str]:
        text: str = self.cleaned_data.get("target_naics", "")
        codes = [code for code in _CODE_SEPARATORS.split(text) if code]
        bad = [code for code in codes if not re.fullmatch(r"\d{2,6}", code)]
        if bad:
            raise ValidationError(f"Not NAICS codes (2 to 6 digits): {', '.join(bad)}")
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("target_naics") and not (data.get("cluster") or "").strip() and not self.errors:
            self.add_error("target_naics", "Name the target industries (NAICS codes) or a cluster.")
        return data


class MembershipAddForm(UswdsForm, forms.Form):
    # Rendered by hand as radio buttons, one per search result (the registry is too large for a select).
    organization = forms.IntegerField(
        label="Organization", error_messages={"required": "Choose an organization from the search results."}
    )
    # Every role is accepted here and the service decides (the role convener is the convener's alone, the
    # same rule for the pages, the API and imports); the list simply does not offer it.
    role = forms.ChoiceField(choices=MembershipRole.choices)
    joined_on = forms.DateField(
        label="Joined on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        role.widget.choices = [c for c in MembershipRole.choices if c[0] != MembershipRole.CONVENER]


class ImportForm(UswdsForm, forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[(ImportKind.ORGANIZATIONS, "Organizations"), (ImportKind.MEMBERSHIPS, "Memberships")],
        widget=forms.RadioSelect,
    )
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
