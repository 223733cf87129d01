"""Page routes of the registry. Each view carries a permission rule (``sectorwise.core.access.allow``)."""

from django.urls import path

from sectorwise.partnerships import import_job_views, views

app_name = "partnerships"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/new/", views.partnership_create, name="partnership_create"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("partnerships/<int:pk>/history/", views.partnership_history, name="partnership_history"),
    path("partnerships/<int:pk>/members/add/", views.membership_add, name="membership_add"),
    path(
        "partnerships/<int:pk>/members/<int:membership_pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/history/", views.organization_history, name="organization_history"),
    path("import/", views.import_file, name="import"),
    path("import/jobs/<int:job_id>/", import_job_views.import_job_detail, name="import_job"),
    path("export/<slug:kind>.<slug:fmt>", views.export, name="export"),
]
