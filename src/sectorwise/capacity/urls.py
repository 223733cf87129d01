"""Page routes of the capacity app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver

app_name = "capacity"
urlpatterns: list[URLPattern | URLResolver] = []
