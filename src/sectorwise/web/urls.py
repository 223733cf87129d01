"""Root URLs. Every view has a permission rule (``sectorwise.core.access.allow``); a test enforces it."""

from django.contrib import admin
from django.urls import include, path

from sectorwise.web.api import api

urlpatterns = [
    path("accounts/", include("sectorwise.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("grants/", include("sectorwise.grants.urls")),
    path("intelligence/", include("sectorwise.intelligence.urls")),
    path("", include("sectorwise.outcomes.urls")),
    path("", include("sectorwise.partnerships.urls")),
]
