"""Capacity building: technical assistance, events with registration and attendance, learning networks, and
the resource library.
"""

from django.apps import AppConfig

from sectorwise.core.navigation import NavItem


class CapacityConfig(AppConfig):
    name = "sectorwise.capacity"
    label = "capacity"
    verbose_name = "Capacity building"
    # Menu entries (sectorwise.core.navigation): events and resources are public; TA for staff, viewers and
    # conveners; learning networks for every role.
    nav_items = (
        NavItem("Events", "capacity:event_list", action="view_events", group="Build capacity"),
        NavItem("Technical assistance", "capacity:ta_list", action="view_ta", group="Build capacity"),
        NavItem("Learning networks", "capacity:network_list", action="view_networks", group="Build capacity"),
        NavItem("Resources", "capacity:resource_list", action="view_resources", group="Build capacity"),
    )
    template_permissions = {"can_manage_events": "manage_events"}
    partnership_panels = ("sectorwise.capacity.panels.ta_panel",)
