from django.contrib.admin.apps import AdminConfig


class SectorwiseAdminConfig(AdminConfig):
    """Installs ``SectorwiseAdminSite`` as the default admin site (``admin.site``)."""

    default_site = "sectorwise.accounts.admin_site.SectorwiseAdminSite"
