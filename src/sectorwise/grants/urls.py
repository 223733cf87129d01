"""Page routes of the grants app. Each view carries a permission rule (``sectorwise.core.access.allow``)."""

from django.urls import path

from sectorwise.grants import setup_views, views

app_name = "grants"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/apply/", views.application_create, name="application_create"),
    path("funding/", views.funding_source_list, name="funding_source_list"),
    # Setting up the money and the calls (state staff): grants.setup_views.
    path("funding/new/", setup_views.funding_source_create, name="funding_source_create"),
    path("programs/", setup_views.program_list, name="program_list"),
    path("programs/new/", setup_views.program_create, name="program_create"),
    path("programs/<int:pk>/", setup_views.program_detail, name="program_detail"),
    path("programs/<int:pk>/contribute/", setup_views.program_contribute, name="program_contribute"),
    path("programs/<int:pk>/rounds/new/", setup_views.round_create, name="round_create"),
    path("rounds/<int:pk>/open/", setup_views.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", setup_views.round_close, name="round_close"),
    path("rounds/<int:pk>/close-review/", setup_views.round_review_close, name="round_review_close"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/score/", views.application_score, name="application_score"),
    path("applications.<slug:fmt>", views.application_export, name="application_export"),
    path("awards/", views.award_list, name="award_list"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("awards.<slug:fmt>", views.award_export, name="award_export"),
    path("scores.<slug:fmt>", views.score_export, name="score_export"),
    path("payments.<slug:fmt>", views.payment_export, name="payment_export"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:pk>/recommend/", views.round_recommend, name="round_recommend"),
    path("awards/<int:pk>/request-payment/", views.payment_request_create, name="payment_request_create"),
    path("payment-requests/<int:pk>/decide/", views.payment_request_decide, name="payment_request_decide"),
    path("awards/<int:pk>/close/", views.award_close, name="award_close"),
    path("public/awards/", views.public_awards, name="public_awards"),
    path("notifications/", views.notification_settings, name="notification_settings"),
    path("applications/<int:pk>/decision.pdf", views.decision_letter, name="decision_letter"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path(
        "applications/<int:pk>/assessment/",
        views.application_generate_assessment,
        name="application_generate_assessment",
    ),
    path("applications/<int:pk>/attachments/", views.application_attachments, name="application_attachments"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
