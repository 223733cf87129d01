"""Pages of the registry. Thin: parse input, ask one selector or service, render.

Every view carries one permission rule (``sectorwise.core.access.allow``); the permission matrix test walks
them all for every role. Query counts do not grow with the rows a page shows
(tests/web/test_pages_queries.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from sectorwise.charts import CountyShapes, county_count_map
from sectorwise.core import history
from sectorwise.core.access import allow
from sectorwise.core.forms import add_service_errors
from sectorwise.core.navigation import partnership_panels_for
from sectorwise.core.permissions import Action, user_can
from sectorwise.core.tabular.engine import ImportResult
from sectorwise.core.tabular.reader import TableFormat
from sectorwise.core.tabular.writer import table_to_csv, table_to_xlsx
from sectorwise.core.warehouse_gateway import stored_county_shapes
from sectorwise.directory import selectors as directory_selectors
from sectorwise.directory import services as directory_services
from sectorwise.directory.forms import OrganizationForm
from sectorwise.directory.models import Organization, OrganizationType
from sectorwise.directory.rules import DirectoryAction
from sectorwise.partnerships import importing, selectors, services
from sectorwise.partnerships.dashboard_cache import dashboard_figures_cached
from sectorwise.partnerships.forms import (
    ImportForm,
    MembershipAddForm,
    PartnershipFilterForm,
    PartnershipForm,
)
from sectorwise.partnerships.import_jobs import import_upload
from sectorwise.partnerships.industry_profile import region_industry_profile
from sectorwise.partnerships.models import Membership, MembershipRole, Region, SectorPartnership, Stage
from sectorwise.partnerships.naics_titles import naics_title
from sectorwise.partnerships.rules import PartnershipAction
from sectorwise.partnerships.templatetags.partnerships_tags import organization_url, partnership_url

PAGE_SIZE: Final = 25
SEARCH_RESULTS: Final = 15


def _page(request: HttpRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _htmx_target(request: HttpRequest) -> str | None:
    """The element an htmx request will swap (django-htmx's middleware sets ``request.htmx``)."""
    details: HtmxDetails | None = getattr(request, "htmx", None)
    return details.target if details else None


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Dashboard ----------------------------------------------------------------------------------------------


def _county_map(by_county: dict[str, int]) -> dict[str, Any]:
    # Shapes stored as data (the warehouse's county_shapes: states us-atlas does not hold, such as the
    # synthetic demo state) when they cover every county on the map; else us-atlas.
    stored = stored_county_shapes(states={fips[:2] for fips in by_county})
    if stored and {feature["id"] for feature in stored} >= set(by_county):
        shapes = CountyShapes.geojson(stored)
    else:
        shapes = CountyShapes.us_atlas_url(static("us-atlas/counties-10m.json"))
    return county_count_map(shapes=shapes, counts_by_county=by_county)


def _dashboard_figures() -> dict[str, Any]:
    by_county = selectors.partnership_counts_by_county()
    return {
        "totals": {
            "partnerships": SectorPartnership.objects.count(),
            "organizations": Organization.objects.count(),
            "memberships": Membership.objects.count(),
        },
        "by_stage": [
            (Stage(stage).label, stage, count)
            for stage, count in selectors.partnership_counts_by_stage().items()
        ],
        "by_sector": [
            (code, naics_title(code), count)
            for code, count in selectors.partnership_counts_by_sector().items()
        ],
        "by_region": selectors.partnership_counts_by_region(),
        "county_count": len(by_county),
        "map_spec": _county_map(by_county) if by_county else None,
    }


@allow(Action.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures_cached(_dashboard_figures)  # the same for every user; see dashboard_cache
    return render(
        request,
        "partnerships/dashboard.html",
        {**figures, "my_partnerships": _convener_partnerships(request.user)},
    )


# Partnerships -------------------------------------------------------------------------------------------


_STAGE_LABELS: Final = dict(Stage.choices)
_ORGANIZATION_TYPE_LABELS: Final = dict(OrganizationType.choices)
_MEMBERSHIP_ROLE_LABELS: Final = dict(MembershipRole.choices)


def _partnership_rows(partnerships: Iterable[SectorPartnership]) -> list[dict[str, Any]]:
    """What a list row prints, as plain values: the busiest page's template then only writes strings out
    (model attribute lookups, ``get_FOO_display`` and ``{% url %}`` per row cost more than the query)."""
    return [
        {
            "pk": partnership.pk,
            "url": partnership_url(partnership.pk),
            "name": partnership.name,
            "region": partnership.region.name,
            "targets": [(code, naics_title(code)) for code in partnership.target_naics_codes],
            "cluster": partnership.cluster,
            "stage": partnership.stage,
            "stage_label": _STAGE_LABELS.get(partnership.stage, partnership.stage),
            "convener": partnership.convener.name,
            "convener_type": _ORGANIZATION_TYPE_LABELS.get(
                partnership.convener.type, partnership.convener.type
            ),
        }
        for partnership in partnerships
    ]


@allow(Action.VIEW_PUBLIC)
def partnership_list(request: HttpRequest) -> HttpResponse:
    """The public list; htmx requests for new filters get only the results."""
    form = PartnershipFilterForm(request.GET or None)
    page = _page(request, selectors.partnership_list_rows(user=request.user, **form.filters()))
    context = {
        "form": form,
        "page": page,
        "rows": _partnership_rows(page.object_list),
        "query": _query_without_page(request),
        "can_view_internal": user_can(user=request.user, action=Action.VIEW),
    }
    if _htmx_target(request) == "partnership-results":
        return render(request, "partnerships/_partnership_results.html", context)
    context |= {
        "regions": list(Region.objects.order_by("name").values_list("pk", "name")),
        "stage_choices": cast(forms.ChoiceField, form.fields["stage"]).choices,
        "convener_type_choices": cast(forms.ChoiceField, form.fields["convener_type"]).choices,
    }
    return render(request, "partnerships/partnership_list.html", context)


@allow(Action.VIEW, load=selectors.partnership_for_url)
def partnership_detail(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    members = list(selectors.partnership_members(partnership=partnership))
    health = selectors.partnership_health(partnership=partnership, members=members)
    profile = region_industry_profile(
        region_name=partnership.region.name,
        county_fips=partnership.region.county_fips_list,
        target_naics=partnership.target_naics_codes,
    )
    return render(
        request,
        "partnerships/partnership_detail.html",
        {
            "partnership": partnership,
            "members": members,
            "member_rows": _member_rows(partnership, members),
            "health": health,
            "profile": profile,
            "panels": partnership_panels_for(request, partnership),
            "targets": [(code, naics_title(code)) for code in partnership.target_naics_codes],
            "stages": [(stage.label, partnership.stage_reached_on(stage)) for stage in Stage],
            "can_change": user_can(
                user=request.user, action=PartnershipAction.CHANGE_PARTNERSHIP, obj=partnership
            ),
            "can_manage_members": user_can(
                user=request.user, action=PartnershipAction.MANAGE_MEMBERSHIPS, obj=partnership
            ),
        },
    )


_URL_ID_PLACEHOLDER: Final = 2_147_483_647


def _member_rows(partnership: SectorPartnership, members: Iterable[Membership]) -> list[dict[str, Any]]:
    """The members table as plain values (the detail page's 50 rows; see ``_partnership_rows``)."""
    # Reversed once, filled in per row.
    remove_url = reverse("partnerships:membership_remove", args=[partnership.pk, _URL_ID_PLACEHOLDER])
    return [
        {
            "pk": membership.pk,
            "organization_id": membership.organization_id,
            "organization_url": organization_url(membership.organization_id),
            "organization": membership.organization.name,
            "organization_type": _ORGANIZATION_TYPE_LABELS.get(
                membership.organization.type, membership.organization.type
            ),
            "role": _MEMBERSHIP_ROLE_LABELS.get(membership.role, membership.role),
            "representative": membership.representative,
            "joined_on": membership.joined_on,
            "remove_url": remove_url.replace(str(_URL_ID_PLACEHOLDER), str(membership.pk)),
        }
        for membership in members
    ]


def _partnership_service_arguments(form: PartnershipForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "region": data["region"],
        "convener": data["convener"],
        "target_naics": data["target_naics"],
        "cluster": data["cluster"],
        "stage": data["stage"],
        "stage_since": data["stage_since"],
        "goals": data["goals"],
        "description": data["description"],
    }


@allow(PartnershipAction.CREATE_PARTNERSHIP)
def partnership_create(request: HttpRequest) -> HttpResponse:
    form = PartnershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_create(**_partnership_service_arguments(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Created {partnership.name}.")
            return redirect("partnerships:partnership_detail", pk=partnership.pk)
    return render(request, "partnerships/partnership_form.html", {"form": form, "partnership": None})


@allow(PartnershipAction.CHANGE_PARTNERSHIP, load=selectors.partnership_for_url)
def partnership_edit(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    may_change_convener = user_can(user=request.user, action=PartnershipAction.CHANGE_CONVENER)
    form = PartnershipForm(
        request.POST or None,
        initial=PartnershipForm.initial_for(partnership),
        may_change_convener=may_change_convener,
    )
    if request.method == "POST" and form.is_valid():
        arguments = _partnership_service_arguments(form)
        if not may_change_convener or arguments["convener"] == partnership.convener:
            arguments.pop("convener")
        try:
            services.partnership_update(partnership=partnership, **arguments)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved {partnership.name}.")
            return redirect("partnerships:partnership_detail", pk=partnership.pk)
    return render(request, "partnerships/partnership_form.html", {"form": form, "partnership": partnership})


# Memberships ------------------------------------------------------------------------------------------


def _organization_matches(query: str, partnership: SectorPartnership, user: Any) -> list[Organization]:
    if len(query.strip()) < 2:
        return []
    members = Membership.objects.filter(partnership=partnership).values("organization_id")
    return list(
        directory_selectors.organization_list(user=user, search=query).exclude(pk__in=members)[
            :SEARCH_RESULTS
        ]
    )


@allow(PartnershipAction.MANAGE_MEMBERSHIPS, load=selectors.partnership_for_url)
def membership_add(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    query = request.GET.get("q", "") if request.method == "GET" else request.POST.get("q", "")
    form = MembershipAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = directory_selectors.organization_get(pk=form.cleaned_data["organization"])
            membership = services.membership_add(
                partnership=partnership,
                organization=organization,
                role=form.cleaned_data["role"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except Http404:
            form.add_error("organization", "That organization no longer exists; search again.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {membership.organization} as {membership.get_role_display()}.")
            return redirect("partnerships:partnership_detail", pk=partnership.pk)
    context = {
        "partnership": partnership,
        "form": form,
        "query": query,
        "matches": _organization_matches(query, partnership, request.user),
    }
    if getattr(request, "htmx", False):
        return render(request, "partnerships/_organization_choices.html", context)
    return render(request, "partnerships/membership_add.html", context)


def _membership_for_url(**url_kwargs: Any) -> SectorPartnership:
    """The partnership is what the permission is about; the membership must belong to it (else 404)."""
    partnership = selectors.partnership_get(pk=url_kwargs["pk"])
    selectors.membership_get(partnership=partnership, pk=url_kwargs["membership_pk"])
    return partnership


@allow(PartnershipAction.MANAGE_MEMBERSHIPS, load=_membership_for_url)
def membership_remove(
    request: HttpRequest, partnership: SectorPartnership, pk: int, membership_pk: int
) -> HttpResponse:
    membership = selectors.membership_get(partnership=partnership, pk=membership_pk)
    error = ""
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Removed {membership.organization} from {partnership.name}.")
            return redirect("partnerships:partnership_detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/membership_remove.html",
        {"partnership": partnership, "membership": membership, "error": error},
    )


# Organisations ----------------------------------------------------------------------------------------


@allow(Action.VIEW)
def organization_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    type_ = request.GET.get("type", "")
    if type_ not in OrganizationType.values:
        type_ = ""
    organizations = directory_selectors.organization_list(
        user=request.user, search=query, type=type_
    ).annotate(partnership_count=Count("memberships"))
    context = {
        "page": _page(request, organizations),
        "q": query,
        "type": type_,
        "types": OrganizationType.choices,
        "can_create_organization": user_can(user=request.user, action=DirectoryAction.CREATE_ORGANIZATION),
        "query": _query_without_page(request),
    }
    if _htmx_target(request) == "organization-results":
        return render(request, "partnerships/_organization_results.html", context)
    return render(request, "partnerships/organization_list.html", context)


@allow(Action.VIEW, load=directory_selectors.organization_for_url)
def organization_detail(request: HttpRequest, organization: Organization, pk: int) -> HttpResponse:
    can_view_contacts = user_can(user=request.user, action=DirectoryAction.VIEW_CONTACTS)
    return render(
        request,
        "partnerships/organization_detail.html",
        {
            "organization": organization,
            "memberships": list(selectors.organization_memberships(organization=organization)),
            "convened": list(organization.convened_partnerships.select_related("region").order_by("name")),
            "people": list(directory_selectors.organization_people(organization=organization))
            if can_view_contacts
            else [],
            "can_view_contacts": can_view_contacts,
            "can_change": user_can(user=request.user, action=DirectoryAction.CHANGE_ORGANIZATION),
            "industry_title": naics_title(organization.naics_code) if organization.naics_code else "",
        },
    )


@allow(DirectoryAction.CREATE_ORGANIZATION)
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = directory_services.organization_create(**form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {organization.name} to the registry.")
            return redirect("partnerships:organization_detail", pk=organization.pk)
    return render(request, "partnerships/organization_form.html", {"form": form, "organization": None})


@allow(DirectoryAction.CHANGE_ORGANIZATION, load=directory_selectors.organization_for_url)
def organization_edit(request: HttpRequest, organization: Organization, pk: int) -> HttpResponse:
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        # The ModelForm has already set the new values on the instance; the service validates and saves.
        try:
            directory_services.organization_update(organization=organization, **form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved {organization.name}.")
            return redirect("partnerships:organization_detail", pk=organization.pk)
    return render(
        request, "partnerships/organization_form.html", {"form": form, "organization": organization}
    )


# History ------------------------------------------------------------------------------------------------


@allow(Action.VIEW, load=selectors.partnership_for_url)
def partnership_history(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    own = history.history_records(SectorPartnership, id=partnership.pk)
    members = history.history_records(Membership, partnership_id=partnership.pk)
    organizations = history.names_of(
        Organization, [r.organization_id for r in members] + [r.convener_id for r in own]
    )
    regions = history.names_of(Region, [r.region_id for r in own])
    entries = history.merged(
        history.history_entries(
            own, subject="Partnership", names={"region": regions, "convener": organizations}
        ),
        history.history_entries(
            members,
            subject=lambda r: f"Member: {organizations.get(r.organization_id, r.organization_id)}",
            names={"organization": organizations},
        ),
    )
    back_url = reverse("partnerships:partnership_detail", args=[partnership.pk])
    return history.history_page(request, subject=partnership, back_url=back_url, entries=entries)


@allow(Action.VIEW, load=directory_selectors.organization_for_url)
def organization_history(request: HttpRequest, organization: Organization, pk: int) -> HttpResponse:
    records = history.history_records(Organization, id=organization.pk)
    back_url = reverse("partnerships:organization_detail", args=[organization.pk])
    entries = history.history_entries(records, subject="Organization")
    return history.history_page(request, subject=organization, back_url=back_url, entries=entries)


# Import and export --------------------------------------------------------------------------------------


@allow(PartnershipAction.IMPORT)
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload organisations or memberships; every bad row is listed and nothing is written unless all pass."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_upload(
            kind=form.cleaned_data["kind"], filename=upload.name, content=upload.read(), user=request.user
        )
        if not isinstance(result, ImportResult):  # a large file: queued as a background job
            return redirect("partnerships:import_job", job_id=result.pk)
        if result.ok:
            messages.success(
                request,
                f"Imported {upload.name}: {result.created} created, {result.updated} updated.",
            )
            return redirect("partnerships:import")
    status = 400 if isinstance(result, ImportResult) and not result.ok else 200
    return render(request, "partnerships/import.html", {"form": form, "result": result}, status=status)


EXPORT_KINDS: Final = ("partnerships", "organizations", "memberships")


def _partnership_export_rows(queryset: Any) -> tuple[list[str], Iterable[list[Any]]]:
    columns = ["id", "name", "stage", "region", "convener_id", "convener", "target_naics", "cluster", "goals"]

    def rows() -> Iterable[list[Any]]:
        for partnership in queryset:
            yield [
                partnership.pk,
                partnership.name,
                partnership.stage,
                partnership.region.name,
                partnership.convener_id,
                partnership.convener.name,
                " ".join(partnership.target_naics_codes),
                partnership.cluster,
                partnership.goals,
            ]

    return columns, rows()


@allow(Action.VIEW)
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The registry as CSV or XLSX in the import's columns; partnerships honour the list's filters."""
    if kind not in EXPORT_KINDS or fmt not in {table_format.value for table_format in TableFormat}:
        raise Http404(f"no export {kind}.{fmt}")
    if kind == "partnerships":
        columns, rows = _partnership_export_rows(
            selectors.partnership_list(
                user=request.user, **PartnershipFilterForm(request.GET or None).filters()
            )
        )
    elif kind == "organizations":
        columns, rows = importing.organizations_export_rows(
            organizations=directory_selectors.organization_list(user=request.user),
            include_contacts=user_can(user=request.user, action=DirectoryAction.VIEW_CONTACTS),
        )
    else:
        columns, rows = importing.memberships_export_rows(
            memberships=selectors.memberships_visible_to(user=request.user)
        )
    filename = f"sectorwise-{kind}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == TableFormat.CSV:
        response = StreamingHttpResponse(table_to_csv(columns, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            table_to_xlsx(columns, rows, sheet=kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _convener_partnerships(user: Any) -> list[SectorPartnership]:
    organization_id = getattr(user, "organization_id", None)
    if organization_id is None:
        return []
    return list(selectors.partnership_list(user=user, convener_id=organization_id))
