"""Reads of the reports app: the staff portfolio dashboard and the public overview, as tables of the same
shape as the legislative report's (``legislative.Table``), so the pages lay them out alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from sectorwise.charts import county_count_map
from sectorwise.evaluation.statistics import DEFAULT_MINIMUM
from sectorwise.grants.models import Award, FundingSource, FundingSystem
from sectorwise.outcomes.models import Testimonial
from sectorwise.partnerships import selectors as partnership_selectors
from sectorwise.partnerships.models import SectorPartnership, Stage
from sectorwise.partnerships.naics_titles import naics_title
from sectorwise.planning.rubric import Phase
from sectorwise.planning.selectors import latest_maturity_phases
from sectorwise.reports.charts import count_bars, money_bars, page_county_shapes
from sectorwise.reports.legislative import (
    Section,
    Table,
    _outcomes_section,
    _sector_labels,
    capacity_section,
)
from sectorwise.reports.models import DistrictPlan


@dataclass(frozen=True)
class Portfolio:
    tables: dict[str, Table]
    charts: dict[str, dict[str, Any] | None]
    capacity: Section
    outcomes: Section


def _county_map(atlas_url: str) -> dict[str, Any] | None:
    counts = partnership_selectors.partnership_counts_by_county()
    if not counts:
        return None
    return county_count_map(shapes=page_county_shapes(set(counts), atlas_url), counts_by_county=counts)


def portfolio(*, atlas_url: str, minimum: int = DEFAULT_MINIMUM) -> Portfolio:
    """Every partnership by stage, region and industry; money by source (all years); technical assistance and
    events (when the capacity app has records); outcomes with intervals (suppressed under ``minimum``)."""
    stages = Table(
        sheet="By stage",
        title="Partnerships by stage",
        columns=("stage", "partnerships"),
        rows=tuple(
            (str(Stage(stage).label), count)
            for stage, count in partnership_selectors.partnership_counts_by_stage().items()
        ),
    )
    regions = Table(
        sheet="By region",
        title="Partnerships by region",
        columns=("region", "partnerships"),
        rows=tuple(
            (region.name, count) for region, count in partnership_selectors.partnership_counts_by_region()
        ),
    )
    industries = Table(
        sheet="By industry",
        title="Partnerships by industry sector",
        columns=("sector", "title", "partnerships"),
        rows=tuple(
            (code, naics_title(code), count)
            for code, count in partnership_selectors.partnership_counts_by_sector().items()
        ),
        kinds={"sector": "text"},
        note="A partnership with targets in several sectors counts in each.",
    )
    systems = dict(FundingSystem.choices)
    sources = list(FundingSource.objects.order_by("-fiscal_year", "system", "name"))
    money = Table(
        sheet="Money by source",
        title="Money by funding source",
        columns=("source", "system", "fiscal_year", "pool", "committed", "paid", "balance"),
        rows=tuple(
            (
                source.name,
                str(systems.get(source.system, source.system)),
                source.fiscal_year,
                source.amount,
                source.committed,
                source.paid,
                source.balance,
            )
            for source in sources
        ),
        kinds={
            "pool": "money",
            "committed": "money",
            "paid": "money",
            "balance": "money",
            "fiscal_year": "text",
        },
    )
    charts: dict[str, dict[str, Any] | None] = {
        "map": _county_map(atlas_url),
        "stages": count_bars(
            [{"label": row[0], "value": row[1]} for row in stages.rows],
            title="Partnerships by stage",
            x_title="Partnerships",
        ),
        "money": money_bars(
            [
                {"label": f"{source.name}", "measure": measure, "amount": float(amount)}
                for source in sources
                for measure, amount in (("Committed", source.committed), ("Paid", source.paid))
            ],
            title="Committed and paid by funding source",
        )
        if sources
        else None,
    }
    phases = latest_maturity_phases()
    maturity = Table(
        sheet="By maturity phase",
        title="Partnerships by maturity phase (their latest reviewed self-assessment)",
        columns=("phase", "partnerships"),
        rows=(
            *((phase.label, sum(1 for found in phases.values() if found is phase)) for phase in Phase),
            ("Not assessed yet", SectorPartnership.objects.exclude(pk__in=phases).count()),
        ),
    )
    return Portfolio(
        tables={
            "stages": stages,
            "maturity": maturity,
            "regions": regions,
            "industries": industries,
            "money": money,
        },
        charts=charts,
        capacity=capacity_section(dt.date(1900, 1, 1)),
        outcomes=_outcomes_section(minimum),
    )


@dataclass(frozen=True)
class PublicOverview:
    map_spec: dict[str, Any] | None
    partnerships: list[dict[str, Any]]
    awards: list[dict[str, Any]]
    testimonials: list[Testimonial]
    grants_public_url: str | None


def _grants_public_url() -> str | None:
    """The grants app's public awards page (None if the grants app has none)."""
    try:
        return reverse("grants:public_awards")
    except NoReverseMatch:
        return None


def public_overview(*, atlas_url: str) -> PublicOverview:
    """What any resident may see: where partnerships work, who they are, the awards (partnership, region,
    industry, amount, period; nothing else) and consented testimonials."""
    partnerships = [
        {
            "pk": partnership.pk,
            "name": partnership.name,
            "region": partnership.region.name,
            "industry": "; ".join(_sector_labels(partnership)),
            "stage": str(Stage(partnership.stage).label),
        }
        for partnership in SectorPartnership.objects.select_related("region")
        .prefetch_related("target_industries")
        .order_by("name", "id")
    ]
    awards = [
        {
            "partnership": award.application.partnership.name,
            "partnership_pk": award.application.partnership_id,
            "region": award.application.partnership.region.name,
            "industry": "; ".join(_sector_labels(award.application.partnership)),
            "amount": award.amount,
            "starts_on": award.starts_on,
            "ends_on": award.ends_on,
        }
        for award in Award.objects.select_related("application__partnership__region")
        .prefetch_related("application__partnership__target_industries")
        .order_by("-starts_on", "application__partnership__name", "id")
    ]
    testimonials = list(
        Testimonial.objects.filter(consent_to_publish=True)
        .select_related("partnership")
        .order_by("partnership__name", "-consent_on", "id")
    )
    return PublicOverview(
        map_spec=_county_map(atlas_url),
        partnerships=partnerships,
        awards=awards,
        testimonials=testimonials,
        grants_public_url=_grants_public_url(),
    )


def district_plans() -> list[DistrictPlan]:
    return list(DistrictPlan.objects.select_related("loaded_by").order_by("-created_at", "-id"))


def district_plan_for_id(value: str | None) -> DistrictPlan | None:
    """The plan a query string names (``plan=ID``), else the latest; None when none is loaded."""
    plans = DistrictPlan.objects.all()
    if value and value.isdigit():
        found = plans.filter(pk=int(value)).first()
        if found is not None:
            return found
    return plans.first()
