from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sectorwise.core"
    label = "core"
    verbose_name = "Sectorwise core"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from sectorwise.core import permissions  # noqa: F401  (the actions every app shares)

        # Each app's rules.py registers the rules of its own actions (sectorwise.core.rules).
        autodiscover_modules("rules")
