from django.apps import AppConfig

from sectorwise.core.navigation import NavItem


class GrantsConfig(AppConfig):
    name = "sectorwise.grants"
    label = "grants"
    verbose_name = "Grants"
    # The site's menu entries and template flags of this app (sectorwise.core.navigation).
    nav_items = (
        NavItem("Grants", "grants:round_list", action="view_rounds", group="Fund"),
        NavItem("Programs", "grants:program_list", action="manage_funding", group="Fund"),
        NavItem("Funding", "grants:funding_source_list", action="manage_funding", group="Fund"),
        NavItem("Awards", "grants:award_list", action="view_awards", group="Fund"),
    )
    template_permissions = {"can_manage_grants": "manage_funding"}
