from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "sectorwise.surveys"
    label = "surveys"
    verbose_name = "Employer surveys"
