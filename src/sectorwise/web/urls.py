"""Root URLs. Every view has a permission rule (``sectorwise.core.access.allow``); a test enforces it."""

from django.contrib import admin
from django.urls import include, path

from sectorwise.web.api import api

urlpatterns = [
    path("accounts/", include("sectorwise.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("capacity/", include("sectorwise.capacity.urls")),
    path("grants/", include("sectorwise.grants.urls")),
    path("intelligence/", include("sectorwise.intelligence.urls")),
    path("planning/", include("sectorwise.planning.urls")),
    path("reports/", include("sectorwise.reports.urls")),
    path("surveys/", include("sectorwise.surveys.urls")),
    path("", include("sectorwise.outcomes.urls")),
    path("", include("sectorwise.partnerships.urls")),
]
