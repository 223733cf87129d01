"""Surveys for the tests: a partnership whose employer members each have a contact, an open survey, and
invitations sent through the service (the tokens caught as the e-mails' links are made)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sectorwise.partnerships.models import MembershipRole, SectorPartnership
from sectorwise.surveys import services
from sectorwise.surveys.models import Invitation, Survey
from tests.web.factories import EmployerFactory, MembershipFactory, PartnershipFactory, PersonFactory


@dataclass
class SurveyWorld:
    partnership: SectorPartnership
    survey: Survey
    tokens: list[str] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)


def add_employer_contacts(partnership: SectorPartnership, count: int) -> list[Any]:
    people = []
    for _ in range(count):
        employer = EmployerFactory()
        person = PersonFactory()
        person.affiliations.create(organization=employer, title="HR manager")
        MembershipFactory(partnership=partnership, organization=employer, role=MembershipRole.EMPLOYER_MEMBER)
        people.append(person)
    return people


def open_survey(
    partnership: SectorPartnership, *, title: str = "Employer survey 2025", closes_in_days: int = 30
) -> Survey:
    today = timezone.localdate()
    survey = services.survey_create(
        partnership=partnership,
        values={
            "title": title,
            "period": "2025",
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=closes_in_days),
        },
    )
    return services.survey_open(survey=survey)


def survey_world(*, employers: int = 3, partnership: SectorPartnership | None = None) -> SurveyWorld:
    partnership = partnership or PartnershipFactory()
    people = add_employer_contacts(partnership, employers)
    survey = open_survey(partnership)
    world = SurveyWorld(partnership=partnership, survey=survey)

    def link_for(token: str) -> str:
        world.tokens.append(token)
        return f"http://testserver/surveys/answer/{token}/"

    result = services.invitations_send(survey=survey, person_ids=[p.pk for p in people], link_for=link_for)
    world.invitations = result.invited
    return world
