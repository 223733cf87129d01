from django.apps import AppConfig

from sectorwise.core.navigation import NavItem


class PartnershipsConfig(AppConfig):
    name = "sectorwise.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships registry"
    # The site's menu entries and template flags of this app (sectorwise.core.navigation).
    nav_items = (
        NavItem("Dashboard", "partnerships:dashboard", action="view"),
        NavItem("Partnerships", "partnerships:partnership_list"),
        NavItem("Organizations", "partnerships:organization_list", action="view"),
        NavItem("Import", "partnerships:import", action="import"),
    )
    template_permissions = {
        "can_view_contacts": "view_contacts",
        "can_create_partnership": "create_partnership",
        "can_import": "import",
    }

    def ready(self) -> None:
        from sectorwise.partnerships import (
            import_jobs,  # noqa: F401  (the ImportJob model lives there)
            importing,  # noqa: F401  (registers its importers for the jobs)
        )
        from sectorwise.partnerships.dashboard_cache import connect_signals

        connect_signals()
        _hide_task_results_from_admin()


def _hide_task_results_from_admin() -> None:
    """django-tasks-db registers its raw task records in the admin; they hold job ids and tracebacks, and
    the people who run imports follow them on the import job's page. Kept out of the admin so that every
    admin page stays in the permission matrix's model."""
    from django.contrib import admin
    from django_tasks_db.models import DBTaskResult

    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
