from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "sectorwise.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships registry"
