"""Page routes of the planning app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver

app_name = "planning"
urlpatterns: list[URLPattern | URLResolver] = []
