"""Pages of employer surveys: thin, one rule each (``sectorwise.core.access.allow``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sectorwise.core.access import allow
from sectorwise.core.rules import user_can
from sectorwise.core.tabular.reader import TableFormat
from sectorwise.core.tabular.writer import table_to_csv, table_to_xlsx
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.partnerships.selectors import partnership_for_url
from sectorwise.surveys import selectors, services
from sectorwise.surveys.forms import AnswerForm, InviteForm, QuestionForm, SurveyForm
from sectorwise.surveys.models import Invitation, Survey, SurveyStatus
from sectorwise.surveys.rules import SurveyAction
from sectorwise.surveys.selectors import survey_for_url
from sectorwise.surveys.services import LinkState, LinkUnusable


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _link_maker(request: HttpRequest) -> Callable[[str], str]:
    def link_for(token: str) -> str:
        return request.build_absolute_uri(reverse("surveys:answer", kwargs={"token": token}))

    return link_for


@allow(SurveyAction.LIST_SURVEYS)
def survey_list(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/survey_list.html", {"surveys": selectors.survey_list(user=request.user)})


@allow(SurveyAction.VIEW_SURVEY_RESULTS, load=partnership_for_url)
def partnership_surveys(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    surveys = list(selectors.partnership_surveys(partnership=partnership))
    answered = [survey for survey in surveys if getattr(survey, "responded", 0)]  # annotated; newest first
    latest = (
        {"survey": answered[0], "results": selectors.survey_results(survey=answered[0])} if answered else None
    )
    context = {
        "partnership": partnership,
        "surveys": surveys,
        "latest": latest,
        "demand": selectors.survey_demand_summary(partnership=partnership),
        "can_manage": user_can(user=request.user, action=SurveyAction.MANAGE_SURVEYS, obj=partnership),
    }
    return render(request, "surveys/partnership_surveys.html", context)


@allow(SurveyAction.MANAGE_SURVEYS, load=partnership_for_url)
def survey_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    form = SurveyForm(request.POST or None, instance=Survey(partnership=partnership))
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                partnership=partnership,
                values={name: form.cleaned_data[name] for name in services.SURVEY_FIELDS},
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Created the draft survey {survey.title}.")
            return redirect("surveys:survey_detail", survey_pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"partnership": partnership, "form": form})


@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def survey_detail(request: HttpRequest, survey: Survey, survey_pk: int) -> HttpResponse:
    invitations = list(selectors.survey_invitations(survey=survey))
    context = {
        "survey": survey,
        "partnership": survey.partnership,
        "questions": survey.questions.all(),
        "invitations": invitations,
        "responded": sum(1 for i in invitations if i.used_at is not None),
    }
    return render(request, "surveys/survey_detail.html", context)


@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def survey_edit(request: HttpRequest, survey: Survey, survey_pk: int) -> HttpResponse:
    if survey.status == SurveyStatus.CLOSED:
        messages.info(request, "The survey is closed: it cannot be changed.")
        return redirect("surveys:survey_detail", survey_pk=survey.pk)
    form = SurveyForm(request.POST or None, instance=survey)
    if survey.status == SurveyStatus.OPEN:
        form.fields["opens_on"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(
                survey=survey, values={name: form.cleaned_data[name] for name in services.SURVEY_FIELDS}
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Saved the survey.")
            return redirect("surveys:survey_detail", survey_pk=survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"partnership": survey.partnership, "form": form, "survey": survey},
    )


@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def question_add(request: HttpRequest, survey: Survey, survey_pk: int) -> HttpResponse:
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(
                survey=survey, **{name: form.cleaned_data[name] for name in QuestionForm.Meta.fields}
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Added the question.")
            return redirect("surveys:survey_detail", survey_pk=survey.pk)
    return render(request, "surveys/question_form.html", {"survey": survey, "form": form})


@require_POST
@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def survey_open(request: HttpRequest, survey: Survey, survey_pk: int) -> HttpResponse:
    try:
        services.survey_open(survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The survey is open: send the invitations.")
    return redirect("surveys:survey_detail", survey_pk=survey.pk)


@require_POST
@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def survey_close(request: HttpRequest, survey: Survey, survey_pk: int) -> HttpResponse:
    try:
        services.survey_close(survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The survey is closed: the links not used yet no longer work.")
    return redirect("surveys:survey_detail", survey_pk=survey.pk)


@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def invitation_send(request: HttpRequest, survey: Survey, survey_pk: int) -> HttpResponse:
    contacts = selectors.employer_contacts(partnership=survey.partnership)
    invited = set(survey.invitations.values_list("person_id", flat=True))
    form = InviteForm(request.POST or None, contacts=contacts, invited=invited)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.invitations_send(
                survey=survey, person_ids=form.cleaned_data["contacts"], link_for=_link_maker(request)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            sent = len(result.invited) - len(result.failed)
            messages.success(request, f"Sent {sent} invitation{'s' if sent != 1 else ''}.")
            for note in result.skipped:
                messages.info(request, note)
            if result.failed:
                messages.error(
                    request, f"{len(result.failed)} e-mail(s) could not be sent: resend them later."
                )
            return redirect("surveys:survey_detail", survey_pk=survey.pk)
    return render(request, "surveys/invite.html", {"survey": survey, "form": form})


@require_POST
@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def invitation_resend(
    request: HttpRequest, survey: Survey, survey_pk: int, invitation_pk: int
) -> HttpResponse:
    try:
        invitation = survey.invitations.get(pk=invitation_pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation of this survey") from None
    try:
        services.invitation_resend(invitation=invitation, link_for=_link_maker(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Sent a new link to {invitation.email}; the old one no longer works.")
    return redirect("surveys:survey_detail", survey_pk=survey.pk)


@allow(SurveyAction.VIEW_SURVEY_RESULTS, load=survey_for_url)
def survey_results(request: HttpRequest, survey: Survey, survey_pk: int) -> HttpResponse:
    context = {
        "survey": survey,
        "partnership": survey.partnership,
        "results": selectors.survey_results(survey=survey),
        "can_manage": user_can(user=request.user, action=SurveyAction.MANAGE_SURVEYS, obj=survey),
    }
    return render(request, "surveys/survey_results.html", context)


@allow(SurveyAction.MANAGE_SURVEYS, load=survey_for_url)
def survey_export(request: HttpRequest, survey: Survey, survey_pk: int, fmt: str) -> HttpResponse:
    if fmt not in {table_format.value for table_format in TableFormat}:
        raise Http404(f"no export responses.{fmt}")
    columns, rows = selectors.response_export_table(survey=survey)
    response: HttpResponse | StreamingHttpResponse
    if fmt == TableFormat.CSV:
        response = StreamingHttpResponse(table_to_csv(columns, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            table_to_xlsx(columns, rows, sheet="responses"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="sectorwise-survey-{survey.pk}-responses.{fmt}"'
    return response  # type: ignore[return-value]  # a download may stream


_GONE_MESSAGES = {
    LinkState.UNKNOWN: "This survey link is not valid. Check that you copied the whole link from the e-mail.",
    LinkState.USED: "This survey link has already been used: your answers were received. Thank you.",
    LinkState.EXPIRED: "This survey link has expired: the survey is no longer taking answers.",
    LinkState.CLOSED: "This survey has closed and is no longer taking answers.",
    LinkState.NOT_OPEN: "This survey is not open yet.",
}


def _private(response: HttpResponse) -> HttpResponse:
    """The token is in the URL: never cached, never sent to another site as a referrer. (Not
    ``no-referrer``: browsers then send ``Origin: null`` with the form's POST, which Django's CSRF check
    refuses.)"""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _gone(request: HttpRequest, state: LinkState) -> HttpResponse:
    status = 404 if state is LinkState.UNKNOWN else 410
    return _private(
        render(request, "surveys/link_gone.html", {"message": _GONE_MESSAGES[state]}, status=status)
    )


@allow(SurveyAction.ANSWER_SURVEY)
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public answer page: no account; the one-use token is the permission."""
    invitation, state = services.invitation_for_token(token=token)
    if invitation is None or state is not LinkState.VALID:
        return _gone(request, state)
    survey = invitation.survey
    form = AnswerForm(request.POST or None, questions=list(survey.questions.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(invitation=invitation, answers=form.answers())
        except LinkUnusable as unusable:
            return _gone(request, unusable.state)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _private(render(request, "surveys/thanks.html", {"survey": survey}))
    context = {"survey": survey, "organization": invitation.organization, "form": form}
    # 200 even with errors: Django logs every 4xx with its path, and this path holds a live token.
    return _private(render(request, "surveys/answer.html", context))
