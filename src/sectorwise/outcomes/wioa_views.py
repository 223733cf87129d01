"""Pages of UI wage records and what is built on them: a partnership's WIOA-style indicators (aggregates:
public), its PIRL-style export (participant-level: state staff and its convener; every export logged) and the
wage-record import (state staff; the file kept in memory, never stored). Thin, one rule each."""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from sectorwise.core.access import allow
from sectorwise.core.forms import UswdsForm
from sectorwise.core.rules import user_can
from sectorwise.core.tabular.engine import ImportResult
from sectorwise.outcomes import wages
from sectorwise.outcomes.rules import OutcomeAction
from sectorwise.outcomes.views import _InMemoryUpload
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.partnerships.selectors import partnership_for_url

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
_CONTENT_TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class WageImportForm(UswdsForm, forms.Form):
    file = forms.FileField(
        label="Wage-record file (CSV or XLSX)",
        help_text="Columns person_id, year, quarter, employer_id, wages. At most 10 MB here; larger files "
        "with `sectorwise import wage_records FILE --user NAME`.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in _CONTENT_TYPES:
            raise ValidationError(f"{upload.name}: choose a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"{upload.name} is larger than 10 MB; import it from the command line.")
        return upload


@allow(OutcomeAction.VIEW_OUTCOMES, load=partnership_for_url)
def partnership_wioa(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    """Aggregates only, suppressed under the minimum (with complementary suppression across cohorts)."""
    context = {
        "partnership": partnership,
        "summary": wages.wioa_for_partnership(partnership=partnership),
        "indicators": wages.INDICATORS,
        "can_export": user_can(user=request.user, action=OutcomeAction.VIEW_PARTICIPANTS, obj=partnership),
    }
    return render(request, "outcomes/wioa_partnership.html", context)


@allow(OutcomeAction.VIEW_PARTICIPANTS, load=partnership_for_url)
def pirl_export(
    request: HttpRequest, partnership: SectorPartnership, pk: int, file_format: str
) -> HttpResponse:
    if file_format not in _CONTENT_TYPES:
        raise Http404("CSV or XLSX only")
    content, _ = wages.pirl_export(
        partnership=partnership, user=request.user, path=request.get_full_path(), file_format=file_format
    )
    response = HttpResponse(content, content_type=_CONTENT_TYPES[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="pirl-partnership-{partnership.pk}.{file_format}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # the CSRF check runs inside, once the upload handlers are set (Django's documented way)
@allow(OutcomeAction.IMPORT_OUTCOMES)
def wages_import(request: HttpRequest) -> HttpResponse:
    request.upload_handlers = [_InMemoryUpload(request)]
    return _wages_import(request)


@csrf_protect
def _wages_import(request: HttpRequest) -> HttpResponse:
    form = WageImportForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = wages.wage_records_import(filename=upload.name, content=upload.read(), user=request.user)
        if result.ok:
            messages.success(
                request, f"Imported {upload.name}: {result.created} created, {result.updated} updated."
            )
            return redirect("outcomes:wages_import")
    status = 400 if result is not None and not result.ok else 200
    return render(request, "outcomes/wages_import.html", {"form": form, "result": result}, status=status)
