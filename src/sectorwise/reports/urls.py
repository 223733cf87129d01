"""Page routes of the reports app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = []
