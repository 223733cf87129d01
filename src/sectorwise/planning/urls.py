"""Page routes of the planning app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver, path

from sectorwise.planning import views

app_name = "planning"
_P = "partnerships/<int:pk>/"
urlpatterns: list[URLPattern | URLResolver] = [
    path("reviews/", views.review_queue, name="review_queue"),
    path(f"{_P}maturity/", views.maturity, name="maturity"),
    path(f"{_P}maturity/new/", views.assessment_create, name="assessment_create"),
    path(f"{_P}maturity/<int:assessment_pk>/", views.assessment_detail, name="assessment_detail"),
    path(f"{_P}maturity/<int:assessment_pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path(f"{_P}maturity/<int:assessment_pk>/review/", views.assessment_review, name="assessment_review"),
    path(f"{_P}maturity/<int:assessment_pk>/history/", views.assessment_history, name="assessment_history"),
    path(f"{_P}plan/", views.action_plan, name="action_plan"),
    path(f"{_P}plan/priorities/new/", views.priority_create, name="priority_create"),
    path(f"{_P}plan/priorities/<int:priority_pk>/rank/", views.priority_rank, name="priority_rank"),
    path(
        f"{_P}plan/priorities/<int:priority_pk>/initiatives/new/",
        views.initiative_create,
        name="initiative_create",
    ),
    path(f"{_P}plan/initiatives/<int:initiative_pk>/", views.initiative_edit, name="initiative_edit"),
    path(f"{_P}plan/seed-from-survey/", views.seed_from_survey, name="seed_from_survey"),
    path(f"{_P}sustainability/", views.sustainability, name="sustainability"),
    path(f"{_P}sustainability/new/", views.funding_create, name="funding_create"),
    path(f"{_P}sustainability/<int:funding_pk>/", views.funding_edit, name="funding_edit"),
]
