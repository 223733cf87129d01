"""Page routes of the intelligence app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import path

from sectorwise.intelligence import views

app_name = "intelligence"
urlpatterns = [
    path("", views.explorer, name="explorer"),
    path("ranking/", views.ranking, name="ranking"),
    path("assessment/", views.assessment, name="assessment"),
]
