from django.apps import AppConfig
from django.conf import settings

from sectorwise.core.navigation import NavItem


class OutcomesConfig(AppConfig):
    name = "sectorwise.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
    nav_items = (
        NavItem("Import outcomes", "outcomes:import", action="import_outcomes", group="Prove"),
        NavItem("Import wage records", "outcomes:wages_import", action="import_outcomes", group="Prove"),
        NavItem("Outcomes portfolio", "outcomes:portfolio", action="view_outcomes_portfolio", group="Prove"),
    )
    partnership_panels = ("sectorwise.outcomes.panels.outcomes_panel",)
    template_permissions = {"can_import_outcomes": "import_outcomes"}

    def ready(self) -> None:
        from sectorwise.outcomes import (
            importing,  # noqa: F401  (registers its importers)
            progress_import,  # noqa: F401  (registers progress_reports)
        )
        from sectorwise.outcomes.pii import pii_key

        if not settings.DEBUG:
            # Production refuses to start (any process that loads the apps: the server, migrate, check)
            # without the identifier key, or with an unreadable one: otherwise the first import would fail
            # or, worse, a key made up on the spot would unlink every stored hash.
            pii_key()
