"""Page routes of outcomes. Each view carries a permission rule (``sectorwise.core.access.allow``)."""

from django.urls import path

from sectorwise.outcomes import portfolio, record_views, views, wioa_views

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
    # UI wage records, WIOA indicators, PIRL export (wioa_views)
    path("partnerships/<int:pk>/outcomes/wioa/", wioa_views.partnership_wioa, name="partnership_wioa"),
    path(
        "partnerships/<int:pk>/outcomes/pirl.<str:file_format>",
        wioa_views.pirl_export,
        name="pirl_export",
    ),
    path("outcomes/wages/import/", wioa_views.wages_import, name="wages_import"),
    # Record pages, the progress import and the portfolio (record_views, portfolio)
    path("outcomes/portfolio/", portfolio.portfolio, name="portfolio"),
    path("partnerships/<int:pk>/progress/import/", record_views.progress_import_page, name="progress_import"),
    path(
        "partnerships/<int:pk>/progress/<int:report_pk>/indicators/",
        record_views.report_indicator_values,
        name="report_indicator_values",
    ),
    path(
        "partnerships/<int:pk>/progress/<int:report_pk>/history/",
        record_views.report_history,
        name="report_history",
    ),
    path("partnerships/<int:pk>/indicators/", record_views.indicator_list, name="indicator_list"),
    path("partnerships/<int:pk>/indicators/new/", record_views.indicator_create, name="indicator_create"),
    path(
        "partnerships/<int:pk>/indicators/<int:item_pk>/", record_views.indicator_edit, name="indicator_edit"
    ),
    path(
        "partnerships/<int:pk>/indicators/<int:item_pk>/history/",
        record_views.indicator_history,
        name="indicator_history",
    ),
    path(
        "partnerships/<int:pk>/systems-change/", record_views.systems_change_list, name="systems_change_list"
    ),
    path(
        "partnerships/<int:pk>/systems-change/new/",
        record_views.systems_change_create,
        name="systems_change_create",
    ),
    path(
        "partnerships/<int:pk>/systems-change/<int:item_pk>/",
        record_views.systems_change_edit,
        name="systems_change_edit",
    ),
    path(
        "partnerships/<int:pk>/systems-change/<int:item_pk>/verify/",
        record_views.systems_change_verify,
        name="systems_change_verify",
    ),
    path(
        "partnerships/<int:pk>/systems-change/<int:item_pk>/history/",
        record_views.systems_change_history,
        name="systems_change_history",
    ),
    path("partnerships/<int:pk>/testimonials/", record_views.testimonial_list, name="testimonial_list"),
    path(
        "partnerships/<int:pk>/testimonials/new/", record_views.testimonial_create, name="testimonial_create"
    ),
    path(
        "partnerships/<int:pk>/testimonials/<int:item_pk>/",
        record_views.testimonial_edit,
        name="testimonial_edit",
    ),
    path(
        "partnerships/<int:pk>/testimonials/<int:item_pk>/history/",
        record_views.testimonial_history,
        name="testimonial_history",
    ),
]
