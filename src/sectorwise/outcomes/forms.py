"""Forms of the outcomes pages. The participant form's ``person_id`` is never rendered back (a password
input that does not keep its value) and is hashed by the service as soon as the form is valid."""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError

from sectorwise.core.forms import UswdsForm
from sectorwise.core.tabular.reader import TableFormat
from sectorwise.evaluation.identifiers import RawIdentifier
from sectorwise.outcomes.importing import OutcomeImportKind
from sectorwise.outcomes.models import Participant, ProgressReport

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
MAX_IDENTIFIER_LENGTH: Final = 40


class ProgressReportForm(UswdsForm, forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = (
            "year",
            "quarter",
            "due_on",
            "employers_engaged",
            "workers_enrolled",
            "workers_completed",
            "workers_credentialed",
            "workers_placed",
            "wages_at_placement",
            "narrative",
        )
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}


class RawIdentifierField(forms.CharField):
    """The raw SSN or state ID: cleaned to a ``RawIdentifier`` (masked repr), never shown again."""

    widget = forms.PasswordInput(render_value=False)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ""
        if len(text) > MAX_IDENTIFIER_LENGTH:  # the message gives the length, never the value
            raise ValidationError(f"At most {MAX_IDENTIFIER_LENGTH} characters (this has {len(text)}).")
        return RawIdentifier(text) if text else text


class ParticipantForm(UswdsForm, forms.ModelForm):
    person_id = RawIdentifierField(
        label="SSN or state ID",
        help_text="Stored only as a keyed hash: it cannot be shown again.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Participant
        fields = (
            "enrolled_on",
            "exited_on",
            "demographics_consent",
            "birth_year",
            "sex",
            "race_ethnicity",
            "low_income_at_entry",
            "barriers",
        )
        widgets = {
            "enrolled_on": forms.DateInput(attrs={"type": "date"}),
            "exited_on": forms.DateInput(attrs={"type": "date"}),
        }


class OutcomeImportForm(UswdsForm, forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[
            (OutcomeImportKind.PARTICIPANTS, "Participants"),
            (OutcomeImportKind.OBSERVATIONS, "Outcome observations"),
        ],
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
