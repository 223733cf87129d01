"""Pages of the grants app. Thin: parse input, ask one selector or service, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Final

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from sectorwise.core.access import allow
from sectorwise.core.forms import add_service_errors
from sectorwise.core.permissions import Action, user_can
from sectorwise.core.tabular.reader import TableFormat
from sectorwise.core.tabular.writer import table_to_csv, table_to_xlsx
from sectorwise.grants import selectors, services
from sectorwise.grants.documents import decision_letter_pdf
from sectorwise.grants.files import MAX_ATTACHMENT_BYTES
from sectorwise.grants.forms import (
    ApplicationForm,
    ApplicationStartForm,
    AssignForm,
    AttachmentForm,
    PaymentRequestForm,
    ScoreForm,
)
from sectorwise.grants.models import (
    NARRATIVE_SECTIONS,
    Application,
    Award,
    Criterion,
    PaymentRequest,
    Round,
)
from sectorwise.grants.rules import GrantsAction
from sectorwise.partnerships.models import SectorPartnership


@allow(GrantsAction.VIEW_ROUNDS)
def round_list(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/round_list.html", {"rounds": selectors.round_list(user=request.user)})


ROUND_RANKING_SECONDS: Final = 3600
"""How long a round's rendered ranking stays cached (it is keyed by the round's fingerprint, so any change
to what it is computed from makes a new key at once; this only bounds the memory of old ones)."""


def _round_ranking(grant_round: Round) -> SafeString:
    """The ranking table and the funding recommendation, rendered: the same for every staff member, so
    cached under the round's fingerprint (``selectors.round_version``). A miss computes the scores once,
    the recommendation (a milp split per funded application) from them, and renders every row; a hit
    costs one query (benchmarks/README.md, "Grants at a round's scale")."""
    key = f"grants:round-ranking:{grant_round.pk}:{selectors.round_version(grant_round=grant_round)}"
    ranking = cache.get(key)
    if ranking is None:
        criteria, rows = selectors.round_scores(grant_round=grant_round)
        ranking = render_to_string(
            "grants/_round_ranking.html",
            {
                "round": grant_round,
                "criteria": criteria,
                "rows": rows,
                "recommendation": selectors.round_recommendation(grant_round=grant_round, scored=rows),
                "disagreement_points": selectors.DISAGREEMENT_POINTS,
            },
        )
        cache.set(key, ranking, ROUND_RANKING_SECONDS)
    return SafeString(ranking)  # the template engine's output, escaped when it was rendered


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.round_for_url)
def round_detail(request: HttpRequest, grant_round: Round, pk: int) -> HttpResponse:
    return render(
        request, "grants/round_detail.html", {"round": grant_round, "ranking": _round_ranking(grant_round)}
    )


@allow(GrantsAction.MANAGE_FUNDING)
def funding_source_list(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/funding_source_list.html", {"sources": selectors.funding_source_list()})


@allow(GrantsAction.CREATE_APPLICATION, load=selectors.round_for_url)
def application_create(request: HttpRequest, grant_round: Round, pk: int) -> HttpResponse:
    partnerships = SectorPartnership.objects.filter(convener_id=request.user.organization_id)  # type: ignore[union-attr]  # signed in
    form = ApplicationStartForm(request.POST or None, partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                grant_round=grant_round, partnership=form.cleaned_data["partnership"], user=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Draft started: save it as often as you like, then submit it.")
            return redirect("grants:application_edit", pk=application.pk)
    return render(request, "grants/application_start.html", {"form": form, "round": grant_round})


@allow(GrantsAction.EDIT_APPLICATION, load=selectors.application_for_url)
def application_edit(request: HttpRequest, application: Application, pk: int) -> HttpResponse:
    # The saved values are the form's initial values only when it shows them (a POST carries its own).
    initial = None if request.method == "POST" else ApplicationForm.initial_for(application)
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.application_save_draft(application=application, **form.changes())
            if "submit" in request.POST:
                services.application_submit(application=saved)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Submitted." if "submit" in request.POST else "Draft saved.")
            if "submit" in request.POST:
                return redirect("grants:round_list")
            return redirect("grants:application_edit", pk=application.pk)
    return render(
        request,
        "grants/application_form.html",
        {"form": form, "application": application, "sections": [name for name, _ in NARRATIVE_SECTIONS]},
    )


@allow(GrantsAction.SCORE_APPLICATION, load=selectors.application_to_score_for_url)
def application_score(request: HttpRequest, application: Application, pk: int) -> HttpResponse:
    criteria = list(Criterion.objects.filter(round_id=application.round_id))
    own = {
        s.criterion_id: s
        for s in selectors.scores_visible_to(user=request.user, application=application)
        if s.review.reviewer_id == request.user.pk
    }
    initial = {f"score_{c}": s.score for c, s in own.items()} | {
        f"comment_{c}": s.comment for c, s in own.items()
    }
    form = ScoreForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            for criterion in criteria:
                score = form.cleaned_data[f"score_{criterion.pk}"]
                if score is not None:
                    services.score_record(
                        application=application,
                        reviewer=request.user,
                        criterion=criterion,
                        score=score,
                        comment=form.cleaned_data[f"comment_{criterion.pk}"],
                    )
            if "submit" in request.POST:
                services.review_submit(application=application, reviewer=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review submitted." if "submit" in request.POST else "Scores saved.")
            return redirect("grants:round_list")
    return render(
        request,
        "grants/application_score.html",
        {
            "form": form,
            "application": application,
            "sections": [(heading, getattr(application, name)) for name, heading in NARRATIVE_SECTIONS],
        },
    )


@allow(GrantsAction.VIEW_AWARDS)
def award_list(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/award_list.html", {"awards": selectors.award_list_page(user=request.user)})


@allow(GrantsAction.VIEW_AWARD, load=selectors.award_for_url)
def award_detail(request: HttpRequest, award: Award, pk: int) -> HttpResponse:
    return render(
        request,
        "grants/award_detail.html",
        {
            "award": award,
            "detail": selectors.award_detail(award=award),
            "may_request": user_can(user=request.user, action=GrantsAction.REQUEST_PAYMENT, obj=award),
        },
    )


def _table_response(columns: list[str], rows: list[list[Any]], *, kind: str, fmt: str) -> HttpResponse:
    if fmt not in {table_format.value for table_format in TableFormat}:
        raise Http404(f"no export {kind}.{fmt}")
    response: HttpResponse | StreamingHttpResponse
    if fmt == TableFormat.CSV:
        response = StreamingHttpResponse(table_to_csv(columns, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            table_to_xlsx(columns, rows, sheet=kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="sectorwise-{kind}.{fmt}"'
    return response  # type: ignore[return-value]  # a download may stream


APPLICATION_COLUMNS = [
    "id",
    "program",
    "round",
    "partnership",
    "title",
    "state",
    "requested_amount",
    "duration_months",
    "submitted_at",
]


@allow(GrantsAction.MANAGE_FUNDING)
def application_export(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = [
        [
            a.pk,
            a.round.program.name,
            a.round.name,
            a.partnership.name,
            a.title,
            a.state,
            a.requested_amount,
            a.duration_months,
            a.submitted_at.isoformat() if a.submitted_at else "",
        ]
        for a in selectors.application_list(user=request.user)
    ]
    return _table_response(APPLICATION_COLUMNS, rows, kind="applications", fmt=fmt)


AWARD_COLUMNS = [
    "id",
    "program",
    "partnership",
    "amount",
    "paid",
    "remaining",
    "starts_on",
    "ends_on",
    "state",
    "split",
]


@allow(GrantsAction.VIEW_AWARDS)
def award_export(request: HttpRequest, fmt: str) -> HttpResponse:
    awards = selectors.award_list(user=request.user)  # with each award's split prefetched
    rows = [
        [
            a.pk,
            a.application.round.program.name,
            a.application.partnership.name,
            a.amount,
            a.paid,
            a.remaining,
            a.starts_on.isoformat(),
            a.ends_on.isoformat(),
            a.state,
            "; ".join(f"{f.source.name}: {f.amount}" for f in a.funding.all()),
        ]
        for a in awards
    ]
    return _table_response(AWARD_COLUMNS, rows, kind="awards", fmt=fmt)


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.round_for_url)
def round_assign(request: HttpRequest, grant_round: Round, pk: int) -> HttpResponse:
    """Batch assignment: the chosen reviewers to the chosen applications, conflicted pairs left out."""
    form = AssignForm(
        request.POST or None,
        applications=selectors.applications_to_assign(grant_round=grant_round),
        reviewers=selectors.reviewer_list(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.review_assign_batch(
                applications=list(form.cleaned_data["applications"]),
                reviewers=list(form.cleaned_data["reviewers"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            assigned = sum(len(assignment.assigned) for assignment in result.values())
            messages.success(request, f"{assigned} assignments made.")
            for assignment in result.values():
                for _, why in assignment.excluded:
                    messages.warning(request, f"Not assigned: {why}")
            return redirect("grants:round_detail", pk=grant_round.pk)
    return render(request, "grants/round_assign.html", {"round": grant_round, "form": form})


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.round_for_url)
@require_POST
def round_recommend(request: HttpRequest, grant_round: Round, pk: int) -> HttpResponse:
    """Accept the round's recommendation: the funded applications become "recommended"."""
    try:
        recommendation = services.round_recommend(grant_round=grant_round, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            f"{len(recommendation.funded)} applications recommended (${recommendation.total:,.2f}); "
            f"{len(recommendation.cut)} not.",
        )
    return redirect("grants:round_detail", pk=grant_round.pk)


@allow(GrantsAction.REQUEST_PAYMENT, load=selectors.award_for_url)
def payment_request_create(request: HttpRequest, award: Award, pk: int) -> HttpResponse:
    form = PaymentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lines = form.lines()
        try:
            services.payment_request_create(
                award=award,
                amount=sum((amount for _, amount in lines), Decimal("0.00")),
                lines=lines,
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Payment request sent for approval.")
            return redirect("grants:award_detail", pk=award.pk)
    return render(request, "grants/payment_request_form.html", {"award": award, "form": form})


DECISIONS = ("approve", "decline", "pay")


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.payment_request_for_url)
@require_POST
def payment_request_decide(request: HttpRequest, payment_request: PaymentRequest, pk: int) -> HttpResponse:
    """Staff approve, decline (with a reason) or pay a request."""
    decision = request.POST.get("decision", "")
    try:
        if decision == "approve":
            services.payment_request_approve(request=payment_request, user=request.user)
        elif decision == "decline":
            services.payment_request_decline(
                request=payment_request, reason=request.POST.get("reason", ""), user=request.user
            )
        elif decision == "pay":
            services.payment_request_pay(
                request=payment_request, paid_on=timezone.localdate(), user=request.user
            )
        else:
            raise ValidationError({"decision": f"Choose one of {', '.join(DECISIONS)}."})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Request {decision}d." if decision != "pay" else "Request paid.")
    return redirect("grants:award_detail", pk=payment_request.award_id)


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.award_for_url)
@require_POST
def award_close(request: HttpRequest, award: Award, pk: int) -> HttpResponse:
    try:
        closed = services.award_close(award=award)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Closed out; ${closed.returned:,.2f} unspent returned to the sources.")
    return redirect("grants:award_detail", pk=award.pk)


@allow(Action.VIEW_PUBLIC)
def public_awards(request: HttpRequest) -> HttpResponse:
    """Everyone, signed in or not: partnership, region, industry, amount and period of each award."""
    return render(request, "grants/public_awards.html", {"awards": selectors.public_awards()})


@allow(GrantsAction.EDIT_APPLICATION, load=selectors.application_for_url)
def application_attachments(request: HttpRequest, application: Application, pk: int) -> HttpResponse:
    """A draft's attachments: upload (type told by content, size-limited) and list."""
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attachment_add(
                application=application,
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "",
                data=upload.read(MAX_ATTACHMENT_BYTES + 1),
                user=request.user,
                vintage=form.cleaned_data["vintage"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Attached {upload.name}.")
            return redirect("grants:application_attachments", pk=application.pk)
    return render(
        request,
        "grants/application_attachments.html",
        {
            "application": application,
            "form": form,
            "attachments": selectors.attachment_list(application=application),
        },
    )


@allow(GrantsAction.VIEW_APPLICATION, load=selectors.application_for_url)
def attachment_download(
    request: HttpRequest, application: Application, pk: int, attachment_pk: int
) -> HttpResponse:
    attachment = selectors.attachment_get(application=application, pk=attachment_pk)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.file_name.replace(chr(34), "")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


SCORE_COLUMNS = [
    "application_id",
    "round",
    "partnership",
    "reviewer",
    "review_state",
    "criterion",
    "weight",
    "score",
    "max_score",
    "comment",
]


@allow(GrantsAction.MANAGE_FUNDING)
def score_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every score with its reviewer and criterion (staff only: reviewers never see each other's here)."""
    rows = [
        [
            s.review.application_id,
            s.review.application.round.name,
            s.review.application.partnership.name,
            s.review.reviewer.get_username(),
            s.review.state,
            s.criterion.name,
            s.criterion.weight,
            s.score,
            s.criterion.max_score,
            s.comment,
        ]
        for s in selectors.score_export_rows()
    ]
    return _table_response(SCORE_COLUMNS, rows, kind="scores", fmt=fmt)


PAYMENT_COLUMNS = [
    "request_id",
    "award_id",
    "partnership",
    "amount",
    "state",
    "lines",
    "requested_at",
    "decided_at",
    "paid_on",
    "decline_reason",
]


@allow(GrantsAction.VIEW_AWARDS)
def payment_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Payment requests with their lines by category, on the awards the caller may see."""
    rows = [
        [
            r.pk,
            r.award_id,
            r.award.application.partnership.name,
            r.amount,
            r.state,
            "; ".join(f"{line.category}: {line.amount}" for line in r.lines.all()),
            r.created_at.isoformat(),
            r.decided_at.isoformat() if r.decided_at else "",
            r.payment.paid_on.isoformat() if r.payment else "",
            r.decline_reason,
        ]
        for r in selectors.payment_request_list(user=request.user)
        .select_related("payment")
        .prefetch_related("lines")
    ]
    return _table_response(PAYMENT_COLUMNS, rows, kind="payments", fmt=fmt)


@allow(GrantsAction.VIEW_APPLICATION, load=selectors.application_for_url)
def decision_letter(request: HttpRequest, application: Application, pk: int) -> HttpResponse:
    """The decision letter (PDF) of an awarded or declined application: staff and the applicant's convener."""
    if not (
        user_can(user=request.user, action=GrantsAction.MANAGE_FUNDING)
        or user_can(user=request.user, action=GrantsAction.WITHDRAW_APPLICATION, obj=application)
    ):
        raise PermissionDenied  # reviewers read the application, not the letter
    if application.state not in ("awarded", "declined"):
        raise Http404("No decision letter for this application")
    response = HttpResponse(decision_letter_pdf(application=application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{application.pk}.pdf"'
    return response


@allow(Action.VIEW)
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Grants e-mails: each at once, or one daily digest."""
    current = selectors.notification_preference(user=request.user)
    if request.method == "POST":
        chosen = request.POST.get("daily_digest") == "on"
        services.notification_preference_set(user=request.user, daily_digest=chosen)
        messages.success(request, "Daily digest chosen." if chosen else "Each e-mail sent at once.")
        return redirect("grants:notification_settings")
    return render(request, "grants/notification_settings.html", {"daily_digest": current})


@allow(GrantsAction.EDIT_APPLICATION, load=selectors.application_for_url)
@require_POST
def application_generate_assessment(request: HttpRequest, application: Application, pk: int) -> HttpResponse:
    """Generate the industry assessment from the labor-market data and attach it (with its vintage)."""
    try:
        attached = services.application_generate_assessment(application=application, user=request.user)
    except ValidationError as error:
        messages.error(request, "The industry assessment could not be generated: " + " ".join(error.messages))
    else:
        messages.success(request, f"Attached the industry assessment ({attached.vintage}).")
    return redirect("grants:application_attachments", pk=application.pk)


def _months_later(first_of_month: dt.date, months: int) -> dt.date:
    """The last day of a period of ``months`` whole months starting on ``first_of_month``."""
    month = first_of_month.month - 1 + months
    return dt.date(first_of_month.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.application_for_url)
@require_POST
def application_decide(request: HttpRequest, application: Application, pk: int) -> HttpResponse:
    """Staff's decision from the round page: award the amount requested for the months requested, from the
    first of next month (split across the sources by the services), or decline."""
    decision = request.POST.get("decision", "")
    try:
        if decision == "award":
            today = timezone.localdate()
            starts_on = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
            award = services.award_create(
                application=application,
                amount=application.requested_amount or Decimal("0"),
                starts_on=starts_on,
                ends_on=_months_later(starts_on, application.duration_months or 1),
            )
            messages.success(request, f"Awarded ${award.amount:,.2f} to {application.partnership}.")
        elif decision == "decline":
            services.application_decline(application=application, user=request.user)
            messages.success(request, f"Declined {application.partnership}'s application.")
        else:
            raise ValidationError({"decision": "Award or decline."})
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("grants:round_detail", pk=application.round_id)
