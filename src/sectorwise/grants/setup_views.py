"""Pages where state staff set up the money and the calls: funding sources, programs, their contributions,
rounds, and a round's moves (open, close, close the review).

Thin like ``grants.views``: parse the form, call one service, show its refusals on the form's fields
(``ValidationError``'s field names are the form's), redirect. Every view carries ``manage_funding``
(``grants.rules``: state program staff and administrators). The services keep the history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from sectorwise.core.access import allow
from sectorwise.core.forms import add_service_errors
from sectorwise.grants import selectors, services
from sectorwise.grants.forms import ContributionForm, FundingSourceForm, ProgramForm, RoundForm
from sectorwise.grants.models import GrantProgram, ProgramContribution, Round, RoundState
from sectorwise.grants.rules import GrantsAction


def program_for_url(**url_kwargs: Any) -> GrantProgram:
    """The program of the URL with its pledges (sources) and rounds."""
    return get_object_or_404(
        GrantProgram.objects.prefetch_related(
            Prefetch("contributions", queryset=ProgramContribution.objects.select_related("source")),
            Prefetch("rounds", queryset=Round.objects.order_by("-opens_on")),
        ),
        pk=url_kwargs["pk"],
    )


# Funding sources and programs -------------------------------------------------------------------------


@allow(GrantsAction.MANAGE_FUNDING)
def funding_source_create(request: HttpRequest) -> HttpResponse:
    form = FundingSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.funding_source_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Funding source {source} created: ${source.amount:,.2f}.")
            return redirect("grants:funding_source_list")
    return render(request, "grants/funding_source_form.html", {"form": form})


@allow(GrantsAction.MANAGE_FUNDING)
def program_list(request: HttpRequest) -> HttpResponse:
    programs = selectors.program_list(user=request.user).prefetch_related("contributions__source")
    return render(request, "grants/program_list.html", {"programs": programs})


@allow(GrantsAction.MANAGE_FUNDING)
def program_create(request: HttpRequest) -> HttpResponse:
    initial = ProgramForm.initial_for(request.GET.get("kind", ""))
    form = ProgramForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Program {program} created: ${program.min_amount:,.2f} to ${program.max_amount:,.2f}, "
                f"{program.min_months} to {program.max_months} months.",
            )
            return redirect("grants:program_detail", pk=program.pk)
    return render(request, "grants/program_form.html", {"form": form})


@allow(GrantsAction.MANAGE_FUNDING, load=program_for_url)
def program_detail(request: HttpRequest, program: GrantProgram, pk: int) -> HttpResponse:
    contributions = list(program.contributions.all())
    pledged = sum((c.amount for c in contributions), services.ZERO)
    return render(
        request,
        "grants/program_detail.html",
        {"program": program, "contributions": contributions, "pledged": pledged},
    )


@allow(GrantsAction.MANAGE_FUNDING, load=program_for_url)
def program_contribute(request: HttpRequest, program: GrantProgram, pk: int) -> HttpResponse:
    """A source's pledge to the program, within the source's balance (the service's refusal on the form)."""
    form = ContributionForm(request.POST or None, sources=selectors.funding_source_list())
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.program_contribute(program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{contribution.source} pledges ${contribution.amount:,.2f} to {program}."
            )
            return redirect("grants:program_detail", pk=program.pk)
    return render(request, "grants/program_contribute.html", {"form": form, "program": program})


# Rounds -----------------------------------------------------------------------------------------------


@allow(GrantsAction.MANAGE_FUNDING, load=program_for_url)
def round_create(request: HttpRequest, program: GrantProgram, pk: int) -> HttpResponse:
    """A planned round: dates (never overlapping another round of the program), required attachments and
    the rubric (the default one to start from)."""
    form = RoundForm(request.POST or None, initial=RoundForm.default_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant_round = services.round_create(
                program=program,
                name=data["name"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                criteria=form.criteria(),
                required_attachments=data["required_attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="criterion_1")
        else:
            messages.success(request, f"{grant_round.name} created (planned): open it from its page.")
            return redirect("grants:round_detail", pk=grant_round.pk)
    return render(request, "grants/round_form.html", {"form": form, "program": program})


@dataclass(frozen=True)
class RoundMove:
    """One move of a round's state, with what its confirmation page says."""

    verb: str
    source: str
    service: Callable[..., Round]
    consequence: str
    done: str


ROUND_MOVES: dict[str, RoundMove] = {
    "open": RoundMove(
        verb="Open for applications",
        source=RoundState.PLANNED,
        service=services.round_open,
        consequence="Conveners will see the round and may start applications in it.",
        done="is open for applications",
    ),
    "close": RoundMove(
        verb="Close to applications",
        source=RoundState.OPEN,
        service=services.round_close,
        consequence="No application can be started or submitted any more; the submitted ones go into "
        "review. Drafts stay drafts.",
        done="is closed; its submitted applications are in review",
    ),
    "review_close": RoundMove(
        verb="Close the review",
        source=RoundState.IN_REVIEW,
        service=services.round_review_close,
        consequence="Reviewers will see each other's scores; the review is over.",
        done="is closed to review",
    ),
}


def _round_move(request: HttpRequest, grant_round: Round, move: str) -> HttpResponse:
    """GET, or POST without ``confirmed``: the confirmation page. POST with it: the move."""
    chosen = ROUND_MOVES[move]
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            chosen.service(grant_round=grant_round)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{grant_round.name} {chosen.done}.")
        return redirect("grants:round_detail", pk=grant_round.pk)
    return render(
        request,
        "grants/round_move_confirm.html",
        {
            "round": grant_round,
            "move": chosen,
            "action_url": request.path,
            "possible": grant_round.state == chosen.source,
        },
    )


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.round_for_url)
@require_http_methods(["GET", "POST"])
def round_open(request: HttpRequest, grant_round: Round, pk: int) -> HttpResponse:
    return _round_move(request, grant_round, "open")


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.round_for_url)
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, grant_round: Round, pk: int) -> HttpResponse:
    return _round_move(request, grant_round, "close")


@allow(GrantsAction.MANAGE_FUNDING, load=selectors.round_for_url)
@require_http_methods(["GET", "POST"])
def round_review_close(request: HttpRequest, grant_round: Round, pk: int) -> HttpResponse:
    return _round_move(request, grant_round, "review_close")
