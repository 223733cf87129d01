"""Page routes of the surveys app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver

app_name = "surveys"
urlpatterns: list[URLPattern | URLResolver] = []
