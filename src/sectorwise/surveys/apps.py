"""Employer surveys: the standard instrument plus custom questions, one-use links per employer contact,
responses and results with intervals.
"""

from django.apps import AppConfig

from sectorwise.core.navigation import NavItem


class SurveysConfig(AppConfig):
    name = "sectorwise.surveys"
    label = "surveys"
    verbose_name = "Employer surveys"
    nav_items = (NavItem("Surveys", "surveys:survey_list", action="list_surveys", group="Prove"),)
    partnership_panels = ("sectorwise.surveys.panels.demand_panel",)
