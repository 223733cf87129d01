"""The intelligence pages: thin views over ``selectors`` (one ``@allow`` each; LMI is public data, see
``rules.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from sectorwise.core.access import allow
from sectorwise.intelligence import record_selectors, rendering, selectors, services
from sectorwise.intelligence.forms import RankingForm, RegionForm, ZoneComparisonForm
from sectorwise.intelligence.rules import AssessmentAction, IntelligenceAction
from sectorwise.lmi.ranking import INDICATOR_LABELS
from sectorwise.lmi.regions import Region as LmiRegion
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.partnerships.selectors import partnership_for_url

RESULTS_TARGET = "ranking-results"


def _region(form: RegionForm) -> LmiRegion | None:
    """The region a valid form names; an unknown one becomes the form's error."""
    if not form.is_valid():
        return None
    try:
        return selectors.region_resolve(
            key=form.cleaned_data.get("region") or "", counties=form.cleaned_data.get("counties") or ()
        )
    except selectors.UnknownRegion as error:
        form.add_error("region", f"This region cannot be found: {error}.")
        return None


@allow(IntelligenceAction.VIEW_LMI)
def explorer(request: HttpRequest) -> HttpResponse:
    choices = selectors.region_choices()
    form = RegionForm(request.GET or None, choices=choices)
    region = _region(form) if form.is_bound else None
    context: dict[str, Any] = {"form": form, "choices": choices, "region": region}
    if region is not None:
        profile = selectors.region_profile(
            region=region, level=form.level_or_default(selectors.DEFAULT_LEVEL)
        )
        context["profile"] = profile
        if isinstance(profile, selectors.RegionProfile):
            map_spec = profile.map_spec(static("us-atlas/counties-10m.json"))
            map_spec["mark"] = {**map_spec["mark"], "cursor": "pointer"}  # a county is clicked to pick it
            context["map_spec"] = map_spec
            context["bars_spec"] = profile.bars_spec()
            context["profile_rows_html"] = rendering.profile_rows_html(profile.rows)
            context["shift_share_rows_html"] = rendering.shift_share_rows_html(
                profile.shift_share, year=profile.year, base_year=profile.base_year
            )
            context["query"] = request.GET.urlencode()
    return render(request, "intelligence/explorer.html", context)


def _ranking_context(form: RankingForm, region: LmiRegion | None) -> dict[str, Any]:
    context: dict[str, Any] = {"form": form, "region": region}
    if region is None:
        return context
    candidates = selectors.ranking_candidates(
        region=region, level=form.level_or_default(selectors.DEFAULT_RANKING_LEVEL)
    )
    context["candidates"] = candidates
    if isinstance(candidates, selectors.Unavailable):
        return context
    weights = form.weights()
    result = selectors.ranking_run(candidates=candidates, weights=weights)
    explanation: dict[str, list[dict[str, Any]]] = {}
    for row in result.explanation.to_pylist():
        explanation.setdefault(row["code"], []).append(row)
    ranked = result.ranked.to_pylist()
    # Employment (the size indicator) has its own formatted column: not repeated among the indicators.
    shown = [key for key in result.indicators_used if key != "size"]
    for row in ranked:
        row["explanation"] = explanation.get(row["code"], [])
        row["values"] = [row[key] for key in shown]
    context.update(
        result=result,
        ranked=ranked,
        not_ranked=result.not_ranked.to_pylist(),
        sensitivity=result.sensitivity.to_pylist(),
        used=[(key, INDICATOR_LABELS[key]) for key in shown],
        notes=[*candidates.notes, *result.notes],
        chart_spec=selectors.ranking_chart_spec(result=result, region_name=region.name),
        weights=weights,
    )
    return context


@allow(IntelligenceAction.VIEW_LMI)
def ranking(request: HttpRequest) -> HttpResponse:
    choices = selectors.region_choices()
    form = RankingForm(request.GET or None, choices=choices)
    region = _region(form) if form.is_bound else None
    context = _ranking_context(form, region)
    context.update(query=request.GET.urlencode(), choices=choices)
    details: HtmxDetails | None = getattr(request, "htmx", None)
    if details and details.target == RESULTS_TARGET:
        return render(request, "intelligence/_ranking_results.html", context)
    return render(request, "intelligence/ranking.html", context)


@allow(IntelligenceAction.VIEW_LMI)
def assessment(request: HttpRequest) -> HttpResponse:
    """The industry assessment of the ranking's region, level and weights, as a file; a page saying why
    when it cannot be written."""
    choices = selectors.region_choices()
    form = RankingForm(request.GET or None, choices=choices)
    region = _region(form) if form.is_bound else None
    fmt = request.GET.get("format", "html")
    if region is None:
        reason = choices.note or "Choose a region on the ranking page first."
        return render(request, "intelligence/assessment_unavailable.html", {"reason": reason, "form": form})
    written = selectors.assessment_file(
        region=region,
        level=form.level_or_default(selectors.DEFAULT_RANKING_LEVEL),
        weights=form.weights(),
        fmt=fmt,
    )
    if isinstance(written, selectors.Unavailable):
        return render(
            request, "intelligence/assessment_unavailable.html", {"reason": written.note, "form": form}
        )
    response = HttpResponse(written.content, content_type=written.content_type)
    response["Content-Disposition"] = f'attachment; filename="{written.filename}"'
    return response


@require_POST
@allow(AssessmentAction.ATTACH_ASSESSMENT, load=partnership_for_url)
def attach_assessment(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    """Generate the partnership's industry assessment and store it (then back to the partnership)."""
    try:
        stored = services.partnership_assessment_create(partnership=partnership, user=request.user)
    except ValidationError as error:
        messages.error(request, "The industry assessment could not be generated: " + " ".join(error.messages))
    else:
        messages.success(
            request, f"Stored the industry assessment of {stored.region_name} ({stored.vintage})."
        )
    return redirect("partnerships:partnership_detail", pk=partnership.pk)


@allow(AssessmentAction.ATTACH_ASSESSMENT, load=partnership_for_url)
def stored_assessment(
    request: HttpRequest, partnership: SectorPartnership, pk: int, assessment_pk: int, fmt: str
) -> HttpResponse:
    """A stored assessment's file (HTML, XLSX or PDF), as it was generated."""
    stored = record_selectors.partnership_assessment_get(partnership=partnership, pk=assessment_pk)
    if stored is None or fmt not in services.STORED_FORMATS:
        raise Http404("No such assessment of this partnership")
    response = HttpResponse(stored.file(fmt), content_type=selectors.ASSESSMENT_FORMATS[fmt])
    name = selectors.assessment_filename(stored.region_name, stored.level, fmt)
    dated = name.replace("assessment-", f"assessment-{stored.created_at:%Y%m%d}-", 1)
    response["Content-Disposition"] = f'attachment; filename="{dated}"'
    return response


@allow(IntelligenceAction.VIEW_LMI)
def commuting_zones(request: HttpRequest) -> HttpResponse:
    """Two stored region sets compared: adjusted Rand index, the counties they place apart, on the map."""
    set_names = selectors.region_set_names()
    context: dict[str, Any] = {}
    if isinstance(set_names, selectors.Unavailable):
        context["unavailable"] = set_names
        set_names = []
    form = ZoneComparisonForm(request.GET or None, set_names=set_names)
    context["form"] = form
    if form.is_bound and form.is_valid():
        comparison = selectors.zone_comparison(
            set_a=form.cleaned_data["set_a"],
            set_b=form.cleaned_data["set_b"],
            states=form.cleaned_data["states"],
        )
        context["comparison"] = comparison
        if isinstance(comparison, selectors.ZoneComparison):
            context["map_spec"] = comparison.map_spec(static("us-atlas/counties-10m.json"))
    return render(request, "intelligence/commuting_zones.html", context)


@allow(IntelligenceAction.VIEW_LMI)
def clusters(request: HttpRequest) -> HttpResponse:
    """A region's benchmark clusters and the strong-cluster test (the explorer's region form)."""
    choices = selectors.region_choices()
    form = RegionForm(request.GET or None, choices=choices)
    region = _region(form) if form.is_bound else None
    context: dict[str, Any] = {"form": form, "choices": choices, "region": region}
    if region is not None:
        context["clusters"] = selectors.region_clusters(region=region)
        context["query"] = request.GET.urlencode()
    return render(request, "intelligence/clusters.html", context)


@allow(IntelligenceAction.VIEW_LMI)
def occupations(request: HttpRequest) -> HttpResponse:
    """The occupations of a region's target industries, with their wages and whose wages they are."""
    choices = selectors.region_choices()
    form = RegionForm(request.GET or None, choices=choices)
    region = _region(form) if form.is_bound else None
    codes = [part.strip() for part in request.GET.get("industries", "").split(",") if part.strip()]
    context: dict[str, Any] = {
        "form": form,
        "choices": choices,
        "region": region,
        "industries": ",".join(codes),
    }
    if region is not None:
        context["occupations"] = selectors.region_occupations(region=region, industries=codes[:10])
        context["query"] = request.GET.urlencode()
    return render(request, "intelligence/occupations.html", context)
