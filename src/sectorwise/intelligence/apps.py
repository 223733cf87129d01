from django.apps import AppConfig

from sectorwise.core.navigation import NavItem


class IntelligenceConfig(AppConfig):
    name = "sectorwise.intelligence"
    label = "intelligence"
    verbose_name = "Labor-market intelligence"
    # The site's menu entries (sectorwise.core.navigation): shown to whoever may read LMI (rules.py).
    nav_items = (
        NavItem("Regions", "intelligence:explorer", action="view_lmi", group="Find"),
        NavItem("Target industries", "intelligence:ranking", action="view_lmi", group="Find"),
    )
    # A partnership's page lists its stored industry assessments (state staff and its convener).
    partnership_panels = ("sectorwise.intelligence.panels.assessment_panel",)
