from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sectorwise.reports"
    label = "reports"
    verbose_name = "Reports"
