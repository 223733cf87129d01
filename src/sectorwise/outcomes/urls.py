"""Page routes of outcomes. Each view carries a permission rule (``sectorwise.core.access.allow``)."""

from django.urls import path

from sectorwise.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("partnerships/<int:pk>/outcomes/", views.partnership_outcomes, name="partnership_outcomes"),
    path("partnerships/<int:pk>/participants/", views.participant_list, name="participant_list"),
    path("partnerships/<int:pk>/participants/new/", views.participant_create, name="participant_create"),
    path("partnerships/<int:pk>/progress/", views.report_list, name="report_list"),
    path("partnerships/<int:pk>/progress/new/", views.report_create, name="report_create"),
    path("partnerships/<int:pk>/progress/<int:report_pk>/", views.report_edit, name="report_edit"),
    path("partnerships/<int:pk>/progress/<int:report_pk>/amend/", views.report_amend, name="report_amend"),
    path("outcomes/import/", views.import_file, name="import"),
]
