from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "sectorwise.planning"
    label = "planning"
    verbose_name = "Partnership planning"
