"""Page routes of the surveys app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver, path

from sectorwise.surveys import views

app_name = "surveys"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.survey_list, name="survey_list"),
    path("partnerships/<int:pk>/", views.partnership_surveys, name="partnership_surveys"),
    path("partnerships/<int:pk>/new/", views.survey_create, name="survey_create"),
    path("<int:survey_pk>/", views.survey_detail, name="survey_detail"),
    path("<int:survey_pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:survey_pk>/questions/new/", views.question_add, name="question_add"),
    path("<int:survey_pk>/open/", views.survey_open, name="survey_open"),
    path("<int:survey_pk>/close/", views.survey_close, name="survey_close"),
    path("<int:survey_pk>/invite/", views.invitation_send, name="invitation_send"),
    path(
        "<int:survey_pk>/invitations/<int:invitation_pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("<int:survey_pk>/results/", views.survey_results, name="survey_results"),
    path("<int:survey_pk>/responses.<str:fmt>", views.survey_export, name="survey_export"),
    path("answer/<str:token>/", views.answer, name="answer"),
]
