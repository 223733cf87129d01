"""The setup pages (``grants.setup_views``): staff create a funding source, a program, a pledge and a round
and move the round through its states; bad input comes back on the fields it is about; other roles are
refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sectorwise.grants import services
from sectorwise.grants.models import (
    Criterion,
    FundingSource,
    GrantProgram,
    ProgramContribution,
    Round,
    RoundState,
)
from tests.web.grants.factories import CLOSES, OPENS, grants_world, submitted_in_review
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _errors(response: Any) -> dict[str, list[str]]:
    """The page's form errors by field (the form the view rendered)."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    return {name: list(messages) for name, messages in form.errors.items()}


def _rubric_post(**fields: Any) -> dict[str, Any]:
    """The round form as the page first shows it (the default rubric), with ``fields`` changed."""
    from sectorwise.grants.forms import RoundForm

    data: dict[str, Any] = {
        key: ("on" if value is True else "" if value is False else str(value))
        for key, value in RoundForm.default_initial().items()
    }
    data = {key: value for key, value in data.items() if value != ""}
    data.update(fields)
    return data


# Funding sources -----------------------------------------------------------------------------------


def test_staff_create_a_restricted_funding_source(personas: Personas) -> None:
    response = _client(personas.staff).post(
        reverse("grants:funding_source_create"),
        {
            "name": "Education FY27",
            "system": "education",
            "fiscal_year": "2027",
            "amount": "250000.50",
            "allowed_regions": [personas.partnership_a.region_id],
            "allowed_naics": "3364, 31",
            "allowed_cost_categories": ["training", "contractual"],
            "allowed_program_kinds": ["implementation"],
            "notes": "College workforce fund.",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("grants:funding_source_list")
    source = FundingSource.objects.get(name="Education FY27")
    assert source.amount == D("250000.50") and isinstance(source.amount, Decimal)
    assert (source.system, source.fiscal_year) == ("education", 2027)
    assert source.allowed_naics == ["31", "3364"]
    assert source.allowed_cost_categories == ["contractual", "training"]
    assert source.allowed_program_kinds == ["implementation"]
    assert list(source.allowed_regions.all()) == [personas.partnership_a.region]
    assert source.history.count() == 1  # the service keeps the history
    listing = _client(personas.staff).get(reverse("grants:funding_source_list")).content.decode()
    assert "Education FY27" in listing and "New funding source" in listing


@pytest.mark.parametrize(
    ("amount", "field_message"),
    [
        ("-100", "greater than or equal to 0.01"),
        ("0", "greater than or equal to 0.01"),
        ("12.345", "no more than 2 decimal places"),
        ("lots", "Enter a number"),
    ],
)
def test_a_bad_amount_comes_back_on_the_amount_field(
    personas: Personas, amount: str, field_message: str
) -> None:
    response = _client(personas.staff).post(
        reverse("grants:funding_source_create"),
        {"name": "Bad", "system": "workforce", "fiscal_year": "2026", "amount": amount},
    )
    errors = _errors(response)
    assert list(errors) == ["amount"] and field_message in errors["amount"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not FundingSource.objects.exists()


def test_bad_naics_and_a_taken_name_come_back_on_their_fields(personas: Personas) -> None:
    services.funding_source_create(name="WIOA FY26", system="workforce", fiscal_year=2026, amount=D("10"))
    client = _client(personas.staff)
    base = {"system": "workforce", "fiscal_year": "2026", "amount": "1000.00"}
    errors = _errors(
        client.post(reverse("grants:funding_source_create"), {**base, "name": "X", "allowed_naics": "3a, 7"})
    )
    assert errors == {"allowed_naics": ["NAICS prefixes are 2 to 6 digits: 3a, 7."]}
    errors = _errors(client.post(reverse("grants:funding_source_create"), {**base, "name": "wioa fy26"}))
    assert list(errors) == ["name"] and "already" in errors["name"][0]
    assert FundingSource.objects.count() == 1


# Programs and pledges ------------------------------------------------------------------------------


def test_a_program_takes_its_kinds_default_limits_unless_changed(personas: Personas) -> None:
    client = _client(personas.staff)
    shown = client.get(reverse("grants:program_create"), {"kind": "implementation"})
    assert shown.context["form"].initial["max_amount"] == D("500000.00")
    response = client.post(reverse("grants:program_create"), {"name": "Planning grants", "kind": "planning"})
    program = GrantProgram.objects.get(name="Planning grants")
    assert response["Location"] == reverse("grants:program_detail", kwargs={"pk": program.pk})
    assert (program.min_amount, program.max_amount, program.min_months, program.max_months) == (
        D("25000.00"),
        D("150000.00"),
        1,
        6,
    )
    client.post(
        reverse("grants:program_create"),
        {"name": "Big implementation", "kind": "implementation", "max_amount": "750000", "max_months": "48"},
    )
    edited = GrantProgram.objects.get(name="Big implementation")
    assert (edited.min_amount, edited.max_amount, edited.min_months, edited.max_months) == (
        D("50000.00"),
        D("750000.00"),
        12,
        48,
    )
    page = client.get(reverse("grants:program_detail", kwargs={"pk": edited.pk})).content.decode()
    assert "$50,000.00 to $750,000.00" in page and "12 to 48 months" in page


def test_bad_program_limits_come_back_on_their_fields(personas: Personas) -> None:
    client = _client(personas.staff)
    url = reverse("grants:program_create")
    errors = _errors(
        client.post(url, {"name": "P", "kind": "planning", "min_amount": "200000", "max_amount": "100000"})
    )
    assert errors == {"min_amount": ["The smallest amount is above the largest."]}
    errors = _errors(client.post(url, {"name": "P", "kind": "planning", "min_months": "9"}))
    assert errors == {"min_months": ["The shortest duration is above the longest."]}  # default longest: 6
    errors = _errors(client.post(url, {"name": "P", "kind": "planning", "max_amount": "-1"}))
    assert list(errors) == ["max_amount"]
    errors = _errors(client.post(url, {"name": "P", "kind": "grand"}))
    assert list(errors) == ["kind"]
    assert not GrantProgram.objects.exists()


def test_a_pledge_within_the_balance_and_one_beyond_it_refused_on_the_amount(personas: Personas) -> None:
    source = services.funding_source_create(
        name="WIOA FY26", system="workforce", fiscal_year=2026, amount=D("300000.00")
    )
    planning_only = services.funding_source_create(
        name="Planning fund",
        system="philanthropy",
        fiscal_year=2026,
        amount=D("50000.00"),
        allowed_program_kinds=["planning"],
    )
    program = services.program_create(name="Implementation grants", kind="implementation")
    client = _client(personas.staff)
    url = reverse("grants:program_contribute", kwargs={"pk": program.pk})
    assert "balance $300,000.00" in client.get(url).content.decode()

    errors = _errors(client.post(url, {"source": source.pk, "amount": "300000.01"}))
    assert errors == {
        "amount": ["$300,000.01 is more than WIOA FY26 (FY2026)'s balance: $300,000.00 left to commit."]
    }
    errors = _errors(client.post(url, {"source": planning_only.pk, "amount": "100.00"}))
    assert list(errors) == ["source"] and "does not fund implementation grants" in errors["source"][0]
    errors = _errors(client.post(url, {"source": source.pk, "amount": "-5"}))
    assert list(errors) == ["amount"]
    assert not ProgramContribution.objects.exists()

    response = client.post(url, {"source": source.pk, "amount": "200000.00"})
    assert response.status_code == 302
    assert ProgramContribution.objects.get().amount == D("200000.00")
    page = client.get(reverse("grants:program_detail", kwargs={"pk": program.pk})).content.decode()
    assert "$200,000.00 pledged" in page


def test_a_pledge_counts_what_the_programs_awards_already_drew(personas: Personas) -> None:
    """After a $60,000 award the source's balance is $40,000: its own program's pledge may still be
    $100,000 (the award drew the rest of it), another program's at most $40,000."""
    world = grants_world(source_amount=D("100000.00"))
    application = submitted_in_review(
        grant_round=world.round,
        partnership=personas.partnership_a,
        user=personas.convener_a,
        amount=D("60000"),
    )
    services.round_close(grant_round=world.round)
    services.award_create(
        application=application,
        amount=D("60000.00"),
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    client = _client(personas.staff)
    own = reverse("grants:program_contribute", kwargs={"pk": world.program.pk})
    errors = _errors(client.post(own, {"source": world.source.pk, "amount": "100000.01"}))
    assert errors == {
        "amount": [
            "$100,000.01 is more than Workforce FY26 (FY2026)'s balance: $40,000.00 left to commit and "
            "$60,000.00 already drawn by Planning grants (Workforce FY26)'s awards."
        ]
    }
    assert client.post(own, {"source": world.source.pk, "amount": "100000.00"}).status_code == 302
    other = services.program_create(name="Other planning", kind="planning")
    with pytest.raises(ValidationError, match=r"balance: \$40,000.00 left to commit\.\""):
        services.program_contribute(program=other, source=world.source, amount=D("40000.01"))
    assert services.program_contribute(program=other, source=world.source, amount=D("40000.00")).amount == D(
        "40000.00"
    )


# Rounds ----------------------------------------------------------------------------------------------


def test_staff_create_a_round_with_the_default_rubric_and_required_attachments(personas: Personas) -> None:
    program = services.program_create(name="Planning grants", kind="planning")
    client = _client(personas.staff)
    url = reverse("grants:round_create", kwargs={"pk": program.pk})
    shown = client.get(url)
    page = shown.content.decode()
    assert "Industry assessment" in page and "one third" in page
    assert shown.context["form"].initial["weight_1"] == D("2")
    response = client.post(
        url,
        _rubric_post(
            name="Spring 2027",
            opens_on="2027-03-01",
            closes_on="2027-04-30",
            required_attachments=["industry_assessment", "budget_justification"],
        ),
    )
    grant_round = Round.objects.get(name="Spring 2027")
    assert response["Location"] == reverse("grants:round_detail", kwargs={"pk": grant_round.pk})
    assert grant_round.state == RoundState.PLANNED
    assert grant_round.required_attachments == ["budget_justification", "industry_assessment"]
    criteria = list(Criterion.objects.filter(round=grant_round))
    assert [c.name for c in criteria] == [name for name, *_ in services.DEFAULT_RUBRIC]
    assessment = [c for c in criteria if c.is_industry_assessment]
    assert len(assessment) == 1 and assessment[0].weight / sum(c.weight for c in criteria) == D(1) / 3
    assert all(c.guidance for c in criteria)


def test_a_changed_rubric_is_the_rounds(personas: Personas) -> None:
    program = services.program_create(name="Planning grants", kind="planning")
    data = _rubric_post(name="R", opens_on="2027-03-01", closes_on="2027-04-30")
    data.update(weight_1="3", criterion_5="", guidance_5="", weight_5="")
    data.update(criterion_6="Equity", weight_6="1.5", guidance_6="Who the partnership reaches.")
    response = _client(personas.staff).post(reverse("grants:round_create", kwargs={"pk": program.pk}), data)
    assert response.status_code == 302
    criteria = Criterion.objects.filter(round__name="R")
    assert [(c.name, c.weight) for c in criteria] == [
        ("Industry assessment", D("3.00")),
        ("Employer leadership", D("1.00")),
        ("Partnership breadth", D("1.00")),
        ("Work plan and outcomes", D("1.00")),
        ("Equity", D("1.50")),
    ]


def test_an_overlapping_round_is_refused_on_the_opening_date(personas: Personas) -> None:
    world = grants_world()  # Round 1: OPENS to CLOSES
    client = _client(personas.staff)
    url = reverse("grants:round_create", kwargs={"pk": world.program.pk})
    response = client.post(
        url,
        _rubric_post(name="Round 2", opens_on=str(CLOSES), closes_on=str(CLOSES + dt.timedelta(days=30))),
    )
    errors = _errors(response)
    assert errors == {
        "opens_on": [f"Overlaps Round 1 ({OPENS} to {CLOSES}): rounds of one program do not overlap."]
    }
    assert 'id="id_opens_on-error"' in response.content.decode()
    assert Round.objects.count() == 1
    # The day after: accepted.
    later = _rubric_post(
        name="Round 2",
        opens_on=str(CLOSES + dt.timedelta(days=1)),
        closes_on=str(CLOSES + dt.timedelta(days=30)),
    )
    assert client.post(url, later).status_code == 302
    assert Round.objects.count() == 2
    # A name the program already uses: above the form (the model's constraint).
    again = _rubric_post(
        name="Round 2",
        opens_on=str(CLOSES + dt.timedelta(days=100)),
        closes_on=str(CLOSES + dt.timedelta(days=130)),
    )
    response = client.post(url, again)
    assert _errors(response) == {"__all__": ["Round with this Program and Name already exists."]}
    assert "Round with this Program and Name already exists." in response.content.decode()
    assert Round.objects.count() == 2


def test_bad_round_dates_and_rubric_come_back_on_their_fields(personas: Personas) -> None:
    program = services.program_create(name="Planning grants", kind="planning")
    client = _client(personas.staff)
    url = reverse("grants:round_create", kwargs={"pk": program.pk})
    errors = _errors(client.post(url, _rubric_post(name="R", opens_on="2027-05-01", closes_on="2027-04-01")))
    assert errors == {"closes_on": ["A round closes on or after the day it opens."]}
    errors = _errors(client.post(url, _rubric_post(name="R", opens_on="1 May", closes_on="2027-04-01")))
    assert list(errors) == ["opens_on"]
    bad_rubric = _rubric_post(name="R", opens_on="2027-03-01", closes_on="2027-04-30")
    bad_rubric.update(weight_2="0", criterion_3="Industry assessment", weight_4="")
    errors = _errors(client.post(url, bad_rubric))
    assert set(errors) == {"weight_2", "criterion_3", "weight_4"}
    assert "Industry assessment is criterion 1 already." in errors["criterion_3"]
    empty = {
        key: value
        for key, value in _rubric_post(name="R", opens_on="2027-03-01", closes_on="2027-04-30").items()
        if not key.startswith(("criterion_", "weight_", "guidance_", "assessment_"))
    }
    errors = _errors(client.post(url, empty))
    assert errors == {"criterion_1": ["A round scores applications on at least one criterion."]}
    assert not Round.objects.exists()


def test_the_round_moves_ask_for_confirmation_then_happen(personas: Personas) -> None:
    program = services.program_create(name="Planning grants", kind="planning")
    grant_round = services.round_create(program=program, name="R", opens_on=OPENS, closes_on=CLOSES)
    client = _client(personas.staff)
    detail = reverse("grants:round_detail", kwargs={"pk": grant_round.pk})
    assert "Open for applications" in client.get(detail).content.decode()
    open_url = reverse("grants:round_open", kwargs={"pk": grant_round.pk})
    asked = client.post(open_url)  # the round page's button: the confirmation page, nothing moved
    assert asked.status_code == 200 and "Conveners will see the round" in asked.content.decode()
    assert Round.objects.get(pk=grant_round.pk).state == RoundState.PLANNED
    moved = client.post(open_url, {"confirmed": "yes"}, follow=True)
    assert "R is open for applications." in moved.content.decode()
    assert Round.objects.get(pk=grant_round.pk).state == RoundState.OPEN
    assert "Close to applications" in moved.content.decode()

    again = client.post(open_url, {"confirmed": "yes"}, follow=True)  # a second tab: refused, said why
    assert "only a round planned can be opened" in again.content.decode()
    assert "cannot be moved this way" in client.get(open_url).content.decode()

    client.post(reverse("grants:round_close", kwargs={"pk": grant_round.pk}), {"confirmed": "yes"})
    assert Round.objects.get(pk=grant_round.pk).state == RoundState.IN_REVIEW
    client.post(reverse("grants:round_review_close", kwargs={"pk": grant_round.pk}), {"confirmed": "yes"})
    assert Round.objects.get(pk=grant_round.pk).state == RoundState.REVIEW_CLOSED
    assert grant_round.history.count() == 4  # created, opened, closed, review closed


# Refusals ------------------------------------------------------------------------------------------

OTHERS = ("convener_a", "reviewer", "viewer", "outsider")


@pytest.mark.parametrize("persona", OTHERS)
def test_other_roles_are_refused_and_nothing_is_made(personas: Personas, persona: str) -> None:
    world = grants_world()
    client = _client(personas.user(persona))
    posts = [
        (
            reverse("grants:funding_source_create"),
            {"name": "S", "system": "other", "fiscal_year": "2026", "amount": "1"},
        ),
        (reverse("grants:program_create"), {"name": "P", "kind": "planning"}),
        (
            reverse("grants:program_contribute", kwargs={"pk": world.program.pk}),
            {"source": world.source.pk, "amount": "1.00"},
        ),
        (
            reverse("grants:round_create", kwargs={"pk": world.program.pk}),
            _rubric_post(name="R2", opens_on="2027-01-01", closes_on="2027-02-01"),
        ),
        (reverse("grants:round_close", kwargs={"pk": world.round.pk}), {"confirmed": "yes"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("grants:program_list")).status_code == 403
    assert (FundingSource.objects.count(), GrantProgram.objects.count(), Round.objects.count()) == (1, 1, 1)
    assert ProgramContribution.objects.get().amount == D("300000.00")
    assert Round.objects.get().state == RoundState.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(personas: Personas) -> None:
    response = Client().post(reverse("grants:program_create"), {"name": "P", "kind": "planning"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not GrantProgram.objects.exists()


def test_the_lists_link_the_new_pages_for_staff_only(personas: Personas) -> None:
    staff_page = _client(personas.staff).get(reverse("grants:round_list")).content.decode()
    assert reverse("grants:program_create") in staff_page
    assert reverse("grants:funding_source_create") in staff_page
    convener_page = _client(personas.convener_a).get(reverse("grants:round_list")).content.decode()
    assert reverse("grants:program_create") not in convener_page
