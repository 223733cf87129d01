"""A partnership's own planning: the maturity self-assessment, the action plan with employer-ranked
priorities, and funding raised beyond state grants.
"""

from django.apps import AppConfig

from sectorwise.core.navigation import NavItem


class PlanningConfig(AppConfig):
    name = "sectorwise.planning"
    label = "planning"
    verbose_name = "Partnership planning"
    nav_items = (
        NavItem(
            "Self-assessments to review",
            "planning:review_queue",
            action="review_maturity_assessment",
            group="Build capacity",
        ),
    )
    partnership_panels = ("sectorwise.planning.panels.planning_panel",)
