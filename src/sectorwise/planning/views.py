"""Pages of partnership planning: thin, one rule each (``sectorwise.core.access.allow``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sectorwise.core import history
from sectorwise.core.access import allow
from sectorwise.core.rules import user_can
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.partnerships.selectors import partnership_for_url, partnership_get
from sectorwise.planning import selectors, services
from sectorwise.planning.forms import (
    AssessmentForm,
    FundingForm,
    InitiativeForm,
    PriorityForm,
    RankingForm,
    ReviewForm,
)
from sectorwise.planning.models import AssessmentStatus, IndicatorScore, SelfAssessment
from sectorwise.planning.rubric import INDICATOR_LABELS, Indicator, Phase
from sectorwise.planning.rules import PlanningAction

SavedT = TypeVar("SavedT")


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _saved(
    request: HttpRequest, form: forms.BaseForm, save: Callable[[dict[str, Any]], SavedT]
) -> SavedT | None:
    """What ``save`` (one service call on the form's cleaned data) returned, once the form is posted and
    valid; None on a GET, an invalid form or the service's refusal (its ValidationError lands on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
        return None


def _flags(request: HttpRequest, partnership: SectorPartnership) -> dict[str, bool]:
    return {
        "can_manage": user_can(user=request.user, action=PlanningAction.MANAGE_PLANNING, obj=partnership),
        "can_review": user_can(user=request.user, action=PlanningAction.REVIEW_ASSESSMENT),
    }


# Maturity self-assessment ---------------------------------------------------------------------------------


@allow(PlanningAction.VIEW_PLANNING, load=partnership_for_url)
def maturity(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    context = {
        "partnership": partnership,
        "result": selectors.partnership_maturity(partnership=partnership),
        "history": selectors.maturity_history(partnership=partnership),
        "indicators": [INDICATOR_LABELS[indicator] for indicator in Indicator],
        "phases": list(Phase),
        **_flags(request, partnership),
    }
    return render(request, "planning/maturity.html", context)


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def assessment_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                partnership=partnership,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if "submit" in request.POST:
                try:
                    services.assessment_submit(assessment=assessment, user=request.user)
                except ValidationError as error:
                    # The draft is saved with what was typed; the page now edits it.
                    _add_errors(form, error)
                    messages.info(request, "Saved as a draft: score every indicator to submit it.")
                    return _edit_page(request, partnership, assessment, form)
            assessment.refresh_from_db()
            verb = "Submitted" if assessment.locked else "Saved the draft"
            messages.success(request, f"{verb}: {assessment}.")
            return redirect("planning:assessment_detail", pk=partnership.pk, assessment_pk=assessment.pk)
    return _edit_page(request, partnership, None, form)


def _edit_page(
    request: HttpRequest,
    partnership: SectorPartnership,
    assessment: SelfAssessment | None,
    form: AssessmentForm,
) -> HttpResponse:
    return render(
        request,
        "planning/assessment_form.html",
        {"partnership": partnership, "assessment": assessment, "form": form},
    )


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def assessment_edit(
    request: HttpRequest, partnership: SectorPartnership, pk: int, assessment_pk: int
) -> HttpResponse:
    assessment = selectors.assessment_get(partnership=partnership, pk=assessment_pk)
    if assessment.locked:
        messages.info(request, f"{assessment} was submitted: its scores change only through the review.")
        return redirect("planning:assessment_detail", pk=partnership.pk, assessment_pk=assessment.pk)
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_of(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(
                assessment=assessment,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
            )
            if "submit" in request.POST:
                services.assessment_submit(assessment=assessment, user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            assessment.refresh_from_db()
            verb = "Submitted" if assessment.locked else "Saved the draft"
            messages.success(request, f"{verb}: {assessment}.")
            return redirect("planning:assessment_detail", pk=partnership.pk, assessment_pk=assessment.pk)
    return _edit_page(request, partnership, assessment, form)


@allow(PlanningAction.VIEW_PLANNING, load=partnership_for_url)
def assessment_detail(
    request: HttpRequest, partnership: SectorPartnership, pk: int, assessment_pk: int
) -> HttpResponse:
    assessment = selectors.assessment_get(partnership=partnership, pk=assessment_pk)
    context: dict[str, Any] = {
        "partnership": partnership,
        "assessment": assessment,
        "rows": selectors.assessment_rows(assessment=assessment),
        "result": None,
        **_flags(request, partnership),
    }
    if assessment.status == AssessmentStatus.REVIEWED:
        context["result"] = selectors.maturity_result_of(assessment)
    return render(request, "planning/assessment_detail.html", context)


@allow(PlanningAction.VIEW_PLANNING, load=partnership_for_url)
def assessment_history(
    request: HttpRequest, partnership: SectorPartnership, pk: int, assessment_pk: int
) -> HttpResponse:
    assessment = selectors.assessment_get(partnership=partnership, pk=assessment_pk)
    entries = history.merged(
        history.history_entries(
            history.history_records(SelfAssessment, id=assessment.pk), subject="Assessment"
        ),
        history.history_entries(
            history.history_records(IndicatorScore, assessment_id=assessment.pk),
            subject=lambda r: f"Score: {INDICATOR_LABELS.get(Indicator(r.indicator), r.indicator)}",
        ),
    )
    back_url = reverse("planning:assessment_detail", args=[partnership.pk, assessment.pk])
    return history.history_page(request, subject=assessment, back_url=back_url, entries=entries)


@allow(PlanningAction.REVIEW_ASSESSMENT)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "planning/review_queue.html", {"assessments": selectors.assessments_awaiting_review()}
    )


@allow(PlanningAction.REVIEW_ASSESSMENT)
def assessment_review(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    partnership = partnership_get(pk=pk)
    assessment = selectors.assessment_get(partnership=partnership, pk=assessment_pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        messages.info(
            request, f"{assessment} is {assessment.get_status_display().lower()}: nothing to review."
        )
        return redirect("planning:assessment_detail", pk=partnership.pk, assessment_pk=assessment.pk)
    form = ReviewForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_review(
                assessment=assessment,
                user=request.user,
                scores=form.scores(),
                comments=form.comments(),
                review_comment=form.cleaned_data["review_comment"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, field_messages in error.message_dict.items():
                    target = f"comment_{name}" if f"comment_{name}" in form.fields else None
                    form.add_error(target, field_messages)
            else:
                form.add_error(None, error.messages)
        else:
            assessment.refresh_from_db()
            phase = Phase(assessment.phase or Phase.EXPLORING)
            messages.success(request, f"Reviewed: {partnership} is {phase.label.lower()}.")
            return redirect("planning:assessment_detail", pk=partnership.pk, assessment_pk=assessment.pk)
    context = {
        "partnership": partnership,
        "assessment": assessment,
        "form": form,
        "pairs": [(form[i.value], form[f"comment_{i.value}"]) for i in Indicator],
    }
    return render(request, "planning/assessment_review.html", context)


# Action plan ----------------------------------------------------------------------------------------------


@allow(PlanningAction.VIEW_PLANNING, load=partnership_for_url)
def action_plan(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    plan = selectors.action_plan(partnership=partnership)
    flags = _flags(request, partnership)
    context = {
        "partnership": partnership,
        "plan": plan,
        "chart": selectors.priority_chart(plan=plan),
        "employer_count": len(services.employer_members(partnership=partnership)),
        "survey": selectors.survey_demand(partnership=partnership) if flags["can_manage"] else None,
        **flags,
    }
    return render(request, "planning/action_plan.html", context)


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def priority_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    form = PriorityForm(request.POST or None)
    priority = _saved(
        request,
        form,
        lambda data: services.priority_create(
            partnership=partnership, title=data["title"], description=data["description"]
        ),
    )
    if priority is not None:
        messages.success(request, f"Added the priority “{priority}”: now enter the employers' rankings.")
        return redirect("planning:priority_rank", pk=partnership.pk, priority_pk=priority.pk)
    return render(request, "planning/priority_form.html", {"partnership": partnership, "form": form})


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def priority_rank(
    request: HttpRequest, partnership: SectorPartnership, pk: int, priority_pk: int
) -> HttpResponse:
    priority = selectors.priority_get(partnership=partnership, pk=priority_pk)
    members = services.employer_members(partnership=partnership)
    current = {r.membership_id: (r.importance, r.feasibility) for r in priority.rankings.all()}
    form = RankingForm(request.POST or None, members=members, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_rank(priority=priority, rankings=form.rankings(), user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Saved the employers' rankings of “{priority}”.")
            return redirect("planning:action_plan", pk=partnership.pk)
    context = {"partnership": partnership, "priority": priority, "form": form, "rows": form.rows()}
    return render(request, "planning/priority_rank.html", context)


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def initiative_create(
    request: HttpRequest, partnership: SectorPartnership, pk: int, priority_pk: int
) -> HttpResponse:
    priority = selectors.priority_get(partnership=partnership, pk=priority_pk)
    form = InitiativeForm(request.POST or None, partnership=partnership)
    created = _saved(
        request,
        form,
        lambda data: services.initiative_create(priority=priority, values=data, owners=data["owners"]),
    )
    if created is not None:
        messages.success(request, f"Added an initiative under “{priority}”.")
        return redirect("planning:action_plan", pk=partnership.pk)
    context = {"partnership": partnership, "priority": priority, "form": form}
    return render(request, "planning/initiative_form.html", context)


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def initiative_edit(
    request: HttpRequest, partnership: SectorPartnership, pk: int, initiative_pk: int
) -> HttpResponse:
    initiative = selectors.initiative_get(partnership=partnership, pk=initiative_pk)
    form = InitiativeForm(request.POST or None, instance=initiative, partnership=partnership)
    saved = _saved(
        request,
        form,
        lambda data: services.initiative_update(initiative=initiative, values=data, owners=data["owners"]),
    )
    if saved is not None:
        messages.success(request, f"Saved “{initiative}”.")
        return redirect("planning:action_plan", pk=partnership.pk)
    context = {
        "partnership": partnership,
        "priority": initiative.priority,
        "initiative": initiative,
        "form": form,
    }
    return render(request, "planning/initiative_form.html", context)


@require_POST
@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def seed_from_survey(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    demand = selectors.survey_demand(partnership=partnership)
    if demand is None:
        messages.info(request, "No employer demand survey results for this partnership yet.")
    else:
        created = services.priorities_seed_from_demand(
            partnership=partnership, occupations=demand.occupations, skill_gaps=demand.skill_gaps
        )
        messages.success(
            request,
            f"Added {len(created)} priorities from the employer survey"
            + (
                f": {', '.join(p.title for p in created)}."
                if created
                else " (the plan already held them all)."
            ),
        )
    return redirect("planning:action_plan", pk=partnership.pk)


# Sustainability -------------------------------------------------------------------------------------------


@allow(PlanningAction.VIEW_PLANNING, load=partnership_for_url)
def sustainability(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    context = {
        "partnership": partnership,
        "funding": selectors.sustainability_funding_list(partnership=partnership),
        "total": selectors.sustainability_funding_total(partnership=partnership),
        "by_kind": selectors.sustainability_funding_by_kind(partnership=partnership),
        **_flags(request, partnership),
    }
    return render(request, "planning/sustainability.html", context)


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def funding_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    form = FundingForm(request.POST or None)
    funding = _saved(
        request,
        form,
        lambda data: services.sustainability_funding_create(partnership=partnership, values=data),
    )
    if funding is not None:
        messages.success(request, f"Recorded {funding}.")
        return redirect("planning:sustainability", pk=partnership.pk)
    return render(request, "planning/funding_form.html", {"partnership": partnership, "form": form})


@allow(PlanningAction.MANAGE_PLANNING, load=partnership_for_url)
def funding_edit(
    request: HttpRequest, partnership: SectorPartnership, pk: int, funding_pk: int
) -> HttpResponse:
    funding = selectors.funding_get(partnership=partnership, pk=funding_pk)
    form = FundingForm(request.POST or None, instance=funding)
    saved = _saved(
        request, form, lambda data: services.sustainability_funding_update(funding=funding, values=data)
    )
    if saved is not None:
        messages.success(request, f"Saved {funding}.")
        return redirect("planning:sustainability", pk=partnership.pk)
    context = {"partnership": partnership, "form": form, "funding": funding}
    return render(request, "planning/funding_form.html", context)
