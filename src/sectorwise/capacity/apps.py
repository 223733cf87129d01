from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "sectorwise.capacity"
    label = "capacity"
    verbose_name = "Capacity building"
