"""Page routes of the capacity app; each view carries a permission rule (``core.access.allow``)."""

from django.urls import URLPattern, URLResolver, path

from sectorwise.capacity import views

app_name = "capacity"
urlpatterns: list[URLPattern | URLResolver] = [
    path("ta/", views.ta_list, name="ta_list"),
    path("ta/new/", views.ta_engagement_create, name="ta_engagement_create"),
    path("ta/<int:pk>/", views.ta_engagement_detail, name="ta_engagement_detail"),
    path("ta/<int:pk>/update/", views.ta_engagement_update, name="ta_engagement_update"),
    path("ta/<int:pk>/follow-ups/", views.ta_follow_up_add, name="ta_follow_up_add"),
    path("ta/follow-ups/<int:pk>/done/", views.ta_follow_up_done, name="ta_follow_up_done"),
    path("ta/request/<int:pk>/", views.ta_request_create, name="ta_request_create"),
    path("ta/requests/<int:pk>/decline/", views.ta_request_decline, name="ta_request_decline"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("events/<int:pk>/register/", views.event_register_self, name="event_register_self"),
    path("events/<int:pk>/register-by-email/", views.event_register_email, name="event_register_email"),
    path("events/<int:pk>/register-person/", views.event_register_person, name="event_register_person"),
    path("events/<int:pk>/roster/", views.event_roster, name="event_roster"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path(
        "registrations/<int:pk>/certificate.pdf",
        views.registration_certificate,
        name="registration_certificate",
    ),
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/<int:pk>/", views.network_detail, name="network_detail"),
    path("networks/<int:pk>/members/", views.network_member_add, name="network_member_add"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/file", views.resource_download, name="resource_download"),
]
