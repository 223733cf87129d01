"""Pages of a partnership's own outcome records: custom indicators (defined by state staff with the
partnership, values entered with the progress reports, shown against the target), systems change (reported
by the convener or staff, verified by staff), testimonials (all of them here; only consented ones are ever
shown publicly), their history pages, and the progress-report import. Thin views, one rule each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sectorwise.core import history
from sectorwise.core.access import allow
from sectorwise.core.rules import user_can
from sectorwise.core.tabular.engine import ImportResult
from sectorwise.outcomes import services
from sectorwise.outcomes.models import (
    CustomIndicator,
    IndicatorValue,
    ProgressReport,
    ReportStatus,
    SystemsChange,
    Testimonial,
)
from sectorwise.outcomes.progress_import import PROGRESS_COLUMNS, indicator_column, progress_import
from sectorwise.outcomes.record_forms import (
    CustomIndicatorForm,
    IndicatorValuesForm,
    ProgressImportForm,
    SystemsChangeForm,
    TestimonialForm,
)
from sectorwise.outcomes.record_selectors import indicator_progress
from sectorwise.outcomes.rules import OutcomeAction
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.partnerships.selectors import partnership_for_url

RecordT = TypeVar("RecordT", bound=Model)


def _one_of(model: type[RecordT], partnership: SectorPartnership, pk: int) -> RecordT:
    """A record of this partnership (another partnership's id answers 404, like a missing one)."""
    try:
        return model._default_manager.get(pk=pk, partnership=partnership)
    except model.DoesNotExist:  # type: ignore[attr-defined]  # every model class has its DoesNotExist
        raise Http404(f"No such {model._meta.verbose_name} of this partnership") from None


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _record_form(
    request: HttpRequest,
    partnership: SectorPartnership,
    record: RecordT,
    *,
    form: forms.ModelForm[RecordT],
    save: Callable[[RecordT], RecordT],
    message: Callable[[RecordT], str],
    list_url: str,
    template: str,
) -> HttpResponse:
    """The add/edit page of one of a partnership's records: the form, posted and valid, goes through ``save``
    (the record's service); its refusals land on the form, a save goes back to the list (``list_url``, a URL
    name) with ``message`` of the saved record."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.save(commit=False))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, message(saved))
            return redirect(list_url, pk=partnership.pk)
    context = {"partnership": partnership, "form": form, "record": record if record.pk else None}
    return render(request, template, context)


def _record_history(
    request: HttpRequest, *, model: type[Model], record: Any, subject: str, back_url: str
) -> HttpResponse:
    records = history.history_records(model, id=record.pk)
    entries = history.history_entries(records, subject=subject)
    return history.history_page(request, subject=record, back_url=back_url, entries=entries)


# Custom indicators ---------------------------------------------------------------------------------------


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def indicator_list(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    context = {
        "partnership": partnership,
        "rows": indicator_progress(partnership=partnership),
        "can_define": user_can(user=request.user, action=OutcomeAction.DEFINE_INDICATORS, obj=partnership),
    }
    return render(request, "outcomes/records/indicator_list.html", context)


def _indicator_form(
    request: HttpRequest, partnership: SectorPartnership, indicator: CustomIndicator
) -> HttpResponse:
    return _record_form(
        request,
        partnership,
        indicator,
        form=CustomIndicatorForm(request.POST or None, instance=indicator),
        save=lambda record: services.custom_indicator_save(indicator=record),
        message=lambda saved: f"Saved the indicator {saved}.",
        list_url="outcomes:indicator_list",
        template="outcomes/records/indicator_form.html",
    )


@allow(OutcomeAction.DEFINE_INDICATORS, load=partnership_for_url)
def indicator_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    return _indicator_form(request, partnership, CustomIndicator(partnership=partnership))


@allow(OutcomeAction.DEFINE_INDICATORS, load=partnership_for_url)
def indicator_edit(
    request: HttpRequest, partnership: SectorPartnership, pk: int, item_pk: int
) -> HttpResponse:
    return _indicator_form(request, partnership, _one_of(CustomIndicator, partnership, item_pk))


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def indicator_history(
    request: HttpRequest, partnership: SectorPartnership, pk: int, item_pk: int
) -> HttpResponse:
    indicator = _one_of(CustomIndicator, partnership, item_pk)
    back_url = reverse("outcomes:indicator_list", args=[partnership.pk])
    return _record_history(
        request, model=CustomIndicator, record=indicator, subject="Indicator", back_url=back_url
    )


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def report_indicator_values(
    request: HttpRequest, partnership: SectorPartnership, pk: int, report_pk: int
) -> HttpResponse:
    """A report's values of the partnership's indicators: entered while it is a draft, shown after."""
    report = _one_of(ProgressReport, partnership, report_pk)
    indicators = list(CustomIndicator.objects.filter(partnership=partnership))
    current = {value.indicator_id: value.value for value in IndicatorValue.objects.filter(report=report)}
    form = IndicatorValuesForm(request.POST or None, indicators=indicators, initial_values=current)
    if report.locked:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not report.locked and form.is_valid():
        try:
            services.indicator_values_save(report=report, values=form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Saved the indicator values of {report}.")
            return redirect("outcomes:report_list", pk=partnership.pk)
    context = {"partnership": partnership, "report": report, "form": form, "indicators": indicators}
    return render(request, "outcomes/records/report_indicator_values.html", context)


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def report_history(
    request: HttpRequest, partnership: SectorPartnership, pk: int, report_pk: int
) -> HttpResponse:
    report = _one_of(ProgressReport, partnership, report_pk)
    own = history.history_records(ProgressReport, id=report.pk)
    values = history.history_records(IndicatorValue, report_id=report.pk)
    names = history.names_of(CustomIndicator, [record.indicator_id for record in values])
    entries = history.merged(
        history.history_entries(own, subject="Progress report"),
        history.history_entries(
            values,
            subject=lambda r: f"Indicator value: {names.get(r.indicator_id, r.indicator_id)}",
            names={"indicator": names},
        ),
    )
    back_url = reverse("outcomes:report_list", args=[partnership.pk])
    return history.history_page(request, subject=report, back_url=back_url, entries=entries)


# Systems change ------------------------------------------------------------------------------------------


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def systems_change_list(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    context = {
        "partnership": partnership,
        "changes": list(SystemsChange.objects.filter(partnership=partnership).select_related("verified_by")),
        "can_verify": user_can(user=request.user, action=OutcomeAction.VERIFY_SYSTEMS_CHANGE),
    }
    return render(request, "outcomes/records/systems_change_list.html", context)


def _systems_change_form(
    request: HttpRequest, partnership: SectorPartnership, change: SystemsChange
) -> HttpResponse:
    was_verified = change.verified

    def message(saved: SystemsChange) -> str:
        note = " It needs verifying again." if was_verified and not saved.verified else ""
        return f"Saved the systems change.{note}"

    return _record_form(
        request,
        partnership,
        change,
        form=SystemsChangeForm(request.POST or None, instance=change),
        save=lambda record: services.systems_change_save(change=record),
        message=message,
        list_url="outcomes:systems_change_list",
        template="outcomes/records/systems_change_form.html",
    )


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def systems_change_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    return _systems_change_form(request, partnership, SystemsChange(partnership=partnership))


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def systems_change_edit(
    request: HttpRequest, partnership: SectorPartnership, pk: int, item_pk: int
) -> HttpResponse:
    return _systems_change_form(request, partnership, _one_of(SystemsChange, partnership, item_pk))


@require_POST
@allow(OutcomeAction.VERIFY_SYSTEMS_CHANGE)
def systems_change_verify(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    try:
        change = SystemsChange.objects.get(pk=item_pk, partnership_id=pk)
    except SystemsChange.DoesNotExist:
        raise Http404("No such systems change of this partnership") from None
    services.systems_change_verify(change=change, user=request.user)
    messages.success(request, "Verified the systems change.")
    return redirect("outcomes:systems_change_list", pk=pk)


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def systems_change_history(
    request: HttpRequest, partnership: SectorPartnership, pk: int, item_pk: int
) -> HttpResponse:
    change = _one_of(SystemsChange, partnership, item_pk)
    back_url = reverse("outcomes:systems_change_list", args=[partnership.pk])
    return _record_history(
        request, model=SystemsChange, record=change, subject="Systems change", back_url=back_url
    )


# Testimonials --------------------------------------------------------------------------------------------


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def testimonial_list(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    context = {
        "partnership": partnership,
        "testimonials": list(Testimonial.objects.filter(partnership=partnership)),
    }
    return render(request, "outcomes/records/testimonial_list.html", context)


def _testimonial_form(
    request: HttpRequest, partnership: SectorPartnership, testimonial: Testimonial
) -> HttpResponse:
    return _record_form(
        request,
        partnership,
        testimonial,
        form=TestimonialForm(request.POST or None, instance=testimonial),
        save=lambda record: services.testimonial_save(testimonial=record),
        message=lambda saved: "Saved the testimonial.",
        list_url="outcomes:testimonial_list",
        template="outcomes/records/testimonial_form.html",
    )


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def testimonial_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    return _testimonial_form(request, partnership, Testimonial(partnership=partnership))


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def testimonial_edit(
    request: HttpRequest, partnership: SectorPartnership, pk: int, item_pk: int
) -> HttpResponse:
    return _testimonial_form(request, partnership, _one_of(Testimonial, partnership, item_pk))


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def testimonial_history(
    request: HttpRequest, partnership: SectorPartnership, pk: int, item_pk: int
) -> HttpResponse:
    testimonial = _one_of(Testimonial, partnership, item_pk)
    back_url = reverse("outcomes:testimonial_list", args=[partnership.pk])
    return _record_history(
        request, model=Testimonial, record=testimonial, subject="Testimonial", back_url=back_url
    )


# Progress-report import ------------------------------------------------------------------------------------


@allow(OutcomeAction.REPORT_PROGRESS, load=partnership_for_url)
def progress_import_page(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    """A partnership's quarterly figures from a spreadsheet (its rows only; all or nothing)."""
    form = ProgressImportForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = progress_import(
            filename=upload.name, content=upload.read(), user=request.user, partnership_id=partnership.pk
        )
        if result.ok:
            messages.success(
                request,
                f"Imported {upload.name}: {result.created} draft reports created, {result.updated} updated. "
                "Open each to submit it.",
            )
            return redirect("outcomes:report_list", pk=partnership.pk)
    status = 400 if result is not None and not result.ok else 200
    context = {
        "partnership": partnership,
        "form": form,
        "result": result,
        "columns": PROGRESS_COLUMNS,
        "indicator_columns": [
            indicator_column(indicator.name)
            for indicator in CustomIndicator.objects.filter(partnership=partnership)
        ],
        "draft": ReportStatus.DRAFT,
    }
    return render(request, "outcomes/records/progress_import.html", context, status=status)
