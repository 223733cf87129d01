from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "sectorwise.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships registry"

    def ready(self) -> None:
        from sectorwise.partnerships.dashboard_cache import connect_signals

        connect_signals()
