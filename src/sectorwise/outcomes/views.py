"""Pages of outcomes: thin, one rule each (``sectorwise.core.access.allow``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sectorwise.core.access import allow
from sectorwise.core.rules import user_can
from sectorwise.core.tabular.engine import ImportResult
from sectorwise.outcomes import selectors, services
from sectorwise.outcomes.forms import OutcomeImportForm, ParticipantForm, ProgressReportForm
from sectorwise.outcomes.importing import OutcomeImportKind, outcomes_import
from sectorwise.outcomes.models import ProgressReport
from sectorwise.outcomes.record_selectors import flags_context, verified_systems_changes
from sectorwise.outcomes.rules import OutcomeAction
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.partnerships.selectors import partnership_for_url


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


@allow(OutcomeAction.VIEW_OUTCOMES, load=partnership_for_url)
def partnership_outcomes(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    """Aggregates only (suppressed under the minimum): public, like the partnership."""
    context = {
        "partnership": partnership,
        "summary": selectors.outcome_summary(partnership=partnership),
        "testimonials": selectors.public_testimonials(partnership=partnership),
        "systems_changes": verified_systems_changes(partnership=partnership),
        "can_view_participants": user_can(
            user=request.user, action=OutcomeAction.VIEW_PARTICIPANTS, obj=partnership
        ),
        "can_report": user_can(user=request.user, action=OutcomeAction.REPORT_PROGRESS, obj=partnership),
    }
    return render(request, "outcomes/partnership_outcomes.html", context)


@allow(OutcomeAction.VIEW_PARTICIPANTS, load=partnership_for_url)
def participant_list(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    participants = selectors.participant_list(
        partnership=partnership, user=request.user, path=request.get_full_path()
    )
    response = render(
        request, "outcomes/participant_list.html", {"partnership": partnership, "participants": participants}
    )
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("person_id")  # never in an error report or the debug page
@allow(OutcomeAction.VIEW_PARTICIPANTS, load=partnership_for_url)
def participant_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ParticipantForm.Meta.fields}
        try:
            services.participant_create(
                partnership=partnership, person_id=form.cleaned_data["person_id"], values=values
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Enrolled a participant in {partnership.name}.")
            return redirect("outcomes:participant_list", pk=partnership.pk)
    return render(request, "outcomes/participant_form.html", {"partnership": partnership, "form": form})


def _report_of(partnership: SectorPartnership, report_pk: int) -> ProgressReport:
    try:
        return ProgressReport.objects.get(pk=report_pk, partnership=partnership)
    except ProgressReport.DoesNotExist:
        raise Http404("No such progress report of this partnership") from None


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def report_list(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    reports = selectors.progress_reports(partnership=partnership)
    context = {"partnership": partnership, "reports": reports, **flags_context(partnership, reports)}
    return render(request, "outcomes/report_list.html", context)


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def report_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    form = ProgressReportForm(request.POST or None, instance=ProgressReport(partnership=partnership))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.REPORT_FIELDS}
        try:
            report = services.progress_report_create(
                partnership=partnership,
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
                values=values,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Saved the draft report for {report.year} Q{report.quarter}.")
            return redirect("outcomes:report_list", pk=partnership.pk)
    return render(request, "outcomes/report_form.html", {"partnership": partnership, "form": form})


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def report_edit(
    request: HttpRequest, partnership: SectorPartnership, pk: int, report_pk: int
) -> HttpResponse:
    report = _report_of(partnership, report_pk)
    if report.locked:
        messages.info(request, f"{report} was submitted and is locked: file an amendment to correct it.")
        return redirect("outcomes:report_list", pk=partnership.pk)
    form = ProgressReportForm(request.POST or None, instance=report)
    form.fields["year"].disabled = form.fields["quarter"].disabled = True
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.REPORT_FIELDS}
        try:
            services.progress_report_update(report=report, values=values)
            if "submit" in request.POST:
                services.progress_report_submit(report=report, user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{'Submitted' if report.locked else 'Saved'} {report}.")
            return redirect("outcomes:report_list", pk=partnership.pk)
    return render(
        request, "outcomes/report_form.html", {"partnership": partnership, "form": form, "report": report}
    )


@require_POST
@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def report_amend(
    request: HttpRequest, partnership: SectorPartnership, pk: int, report_pk: int
) -> HttpResponse:
    report = _report_of(partnership, report_pk)
    try:
        amendment = services.progress_report_amend(report=report, values={})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("outcomes:report_list", pk=partnership.pk)
    return redirect("outcomes:report_edit", pk=partnership.pk, report_pk=amendment.pk)


class _InMemoryUpload(MemoryFileUploadHandler):
    """Keeps the whole upload in memory, whatever its size (the request size limit bounds it): Django's
    default handlers would write a file over 2.5 MB to a temporary file, and a participants file holds
    raw identifiers that must not reach the disk."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        super().handle_raw_input(*args, **kwargs)
        self.activated = True


@csrf_exempt  # the CSRF check runs inside, once the upload handlers are set (Django's documented way)
@allow(OutcomeAction.IMPORT_OUTCOMES)
def import_file(request: HttpRequest) -> HttpResponse:
    request.upload_handlers = [_InMemoryUpload(request)]
    return _import_file(request)


@csrf_protect
def _import_file(request: HttpRequest) -> HttpResponse:
    form = OutcomeImportForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = outcomes_import(
            kind=OutcomeImportKind(form.cleaned_data["kind"]),
            filename=upload.name,
            content=upload.read(),
            user=request.user,
        )
        if result.ok:
            messages.success(
                request, f"Imported {upload.name}: {result.created} created, {result.updated} updated."
            )
            return redirect("outcomes:import")
    status = 400 if result is not None and not result.ok else 200
    return render(request, "outcomes/import.html", {"form": form, "result": result}, status=status)
