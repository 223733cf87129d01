"""Pages of the reports app: thin, one rule each (``sectorwise.core.access.allow``)."""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from sectorwise.core.access import allow
from sectorwise.core.rules import user_can
from sectorwise.reports import selectors, services
from sectorwise.reports.forms import DistrictPlanForm
from sectorwise.reports.legislative import LegislativeReport, default_since, legislative_report
from sectorwise.reports.render import CONTENT_TYPES, ReportFormat, report_bytes, report_context, shown_table
from sectorwise.reports.rules import ReportsAction

US_ATLAS: Final = "us-atlas/counties-10m.json"
MIN_YEAR: Final = 1990
DOWNLOADS: Final = (
    (ReportFormat.PDF, "PDF"),
    (ReportFormat.XLSX, "Workbook (XLSX): every table of the report"),
    (ReportFormat.HTML, "HTML file"),
)


def _since(request: HttpRequest) -> int:
    text = request.GET.get("since", "")
    this_year = timezone.localdate().year
    if text.isdigit() and MIN_YEAR <= int(text) <= this_year:
        return int(text)
    return default_since()


def _report(request: HttpRequest) -> LegislativeReport:
    plan = selectors.district_plan_for_id(request.GET.get("plan"))
    return legislative_report(since=_since(request), district_file=plan)


@allow(ReportsAction.VIEW_PUBLIC_OVERVIEW)
def public_overview(request: HttpRequest) -> HttpResponse:
    overview = selectors.public_overview(atlas_url=static(US_ATLAS))
    return render(request, "reports/public.html", {"overview": overview})


@allow(ReportsAction.VIEW_PORTFOLIO)
def portfolio(request: HttpRequest) -> HttpResponse:
    found = selectors.portfolio(atlas_url=static(US_ATLAS))
    context: dict[str, Any] = {
        "portfolio": found,
        "tables": {key: shown_table(table) for key, table in found.tables.items()},
        "outcomes": [shown_table(table) for table in found.outcomes.tables],
        "capacity": [shown_table(table) for table in found.capacity.tables],
    }
    return render(request, "reports/portfolio.html", context)


@allow(ReportsAction.VIEW_LEGISLATIVE_REPORT)
def legislative(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    plan = selectors.district_plan_for_id(request.GET.get("plan"))
    context = {
        **report_context(report),
        "downloads": DOWNLOADS,
        "query": f"since={report.since}" + (f"&plan={plan.pk}" if plan else ""),
        "plans": selectors.district_plans(),
        "plan_id": plan.pk if plan else None,
        "can_manage_districts": user_can(user=request.user, action=ReportsAction.MANAGE_DISTRICT_PLANS),
    }
    return render(request, "reports/legislative.html", context)


@allow(ReportsAction.VIEW_LEGISLATIVE_REPORT)
def legislative_download(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        chosen = ReportFormat(fmt)
    except ValueError:
        raise Http404("No such format") from None
    report = _report(request)
    content = report_bytes(report, chosen, command=f"{request.path}?{request.GET.urlencode()}")
    response = HttpResponse(content, content_type=CONTENT_TYPES[chosen])
    filename = f"legislative-report-since-{report.since}.{chosen.value}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@allow(ReportsAction.MANAGE_DISTRICT_PLANS)
def district_plans(request: HttpRequest) -> HttpResponse:
    form = DistrictPlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = services.district_plan_load(
                name=form.cleaned_data["name"],
                filename=upload.name,
                content=upload.read(),
                user=request.user,
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            for name, field_messages in error.message_dict.items():
                form.add_error(name if name in form.fields else None, field_messages)
        else:
            messages.success(request, f"Loaded {plan.name}: {plan.counties.count()} district–county rows.")
            return redirect("reports:district_plans")
    return render(request, "reports/district_plans.html", {"form": form, "plans": selectors.district_plans()})
