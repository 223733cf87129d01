"""Page routes of the grants app. Each view carries a permission rule (``sectorwise.core.access.allow``)."""

from django.urls import path

app_name = "grants"
urlpatterns: list[object] = []
