"""Page routes of the reports app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver, path

from sectorwise.reports import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.public_overview, name="public"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("legislative/", views.legislative, name="legislative"),
    path("legislative.<slug:fmt>", views.legislative_download, name="legislative_download"),
    path("districts/", views.district_plans, name="district_plans"),
]
