from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "sectorwise.directory"
    label = "directory"
    verbose_name = "People and organisations"
