"""Reports that make the case: the staff portfolio dashboard, the generated legislative report (HTML, PDF,
XLSX) and the public page.
"""

from django.apps import AppConfig

from sectorwise.core.navigation import NavItem


class ReportsConfig(AppConfig):
    name = "sectorwise.reports"
    label = "reports"
    verbose_name = "Reports"
    nav_items = (
        NavItem("Portfolio", "reports:portfolio", action="view_portfolio", group="Reports"),
        NavItem(
            "Legislative report", "reports:legislative", action="view_legislative_report", group="Reports"
        ),
        NavItem("Public overview", "reports:public", action="view_public_overview", group="Reports"),
    )
