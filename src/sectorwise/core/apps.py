from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sectorwise.core"
    label = "core"
    verbose_name = "Sectorwise core"
