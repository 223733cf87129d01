"""Page routes of the intelligence app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import path

from sectorwise.intelligence import views

app_name = "intelligence"
urlpatterns = [
    path("", views.explorer, name="explorer"),
    path("ranking/", views.ranking, name="ranking"),
    path("assessment/", views.assessment, name="assessment"),
    path("commuting-zones/", views.commuting_zones, name="commuting_zones"),
    path("clusters/", views.clusters, name="clusters"),
    path("occupations/", views.occupations, name="occupations"),
    path("partnerships/<int:pk>/assessments/", views.attach_assessment, name="attach_assessment"),
    path(
        "partnerships/<int:pk>/assessments/<int:assessment_pk>/<str:fmt>/",
        views.stored_assessment,
        name="stored_assessment",
    ),
]
