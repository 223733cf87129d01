from django.contrib.admin.apps import AdminConfig


class SectorwiseAdminConfig(AdminConfig):
    """Installs ``SectorwiseAdminSite`` as the default admin site (``admin.site``)."""

    default_site = "sectorwise.core.admin_site.SectorwiseAdminSite"
