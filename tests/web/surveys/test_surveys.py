"""Employer surveys: one-use links (once, expiry, closing, a stale second submit), tokens never stored,
results equal to statsmodels on the same answers, suppression, the demand summary and panel, exports."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from sectorwise.partnerships.models import MembershipRole
from sectorwise.surveys import selectors, services
from sectorwise.surveys.models import HardToFillOccupation, Invitation, Response, SurveyStatus
from sectorwise.surveys.services import Answers, LinkState, LinkUnusable
from sectorwise.surveys.soc import parse_soc_codes, soc_code_error, soc_title
from tests.web.factories import EmployerFactory, MembershipFactory, PersonFactory, UserFactory
from tests.web.surveys.factories import survey_world

pytestmark = pytest.mark.django_db


def _answers(**standard: Any) -> Answers:
    hard = standard.pop("hard_to_fill", [])
    skills = standard.pop("skill_gaps", [])
    return Answers(standard=standard, hard_to_fill=hard, skill_gaps=skills, custom={})


def _url(token: str) -> str:
    return f"/surveys/answer/{token}/"


# --- One-use links --------------------------------------------------------------------------------------


def test_a_link_works_once_and_then_says_so() -> None:
    world = survey_world(employers=2)
    client = Client()
    url = _url(world.tokens[0])
    page = client.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    assert world.invitations[0].organization.name in page.content.decode()
    sent = client.post(
        url, {"turnover": "decreased", "hard_to_fill": "51-4041, 29-1141", "skill_gaps": ["math"]}
    )
    assert sent.status_code == 200 and b'id="thanks"' in sent.content
    response = Response.objects.get()
    assert response.turnover == "decreased"
    assert sorted(response.hard_to_fill.values_list("soc_code", flat=True)) == ["29-1141", "51-4041"]
    again = client.get(url)
    assert again.status_code == 410 and b"already been used" in again.content
    resubmit = client.post(url, {"turnover": "increased"})
    assert resubmit.status_code == 410
    assert Response.objects.count() == 1 and Response.objects.get().turnover == "decreased"
    # The other contact's link is untouched.
    assert client.get(_url(world.tokens[1])).status_code == 200


def test_a_second_submit_with_a_stale_invitation_is_refused() -> None:
    """The race, logically (SQLite serialises writers): both requests loaded the invitation unused; the
    claim (a conditional UPDATE) lets only the first through."""
    world = survey_world(employers=1)
    first, _ = services.invitation_for_token(token=world.tokens[0])
    second, _ = services.invitation_for_token(token=world.tokens[0])
    assert first is not None and second is not None and second.used_at is None
    services.response_submit(invitation=first, answers=_answers(turnover="same"))
    with pytest.raises(LinkUnusable) as refused:
        services.response_submit(invitation=second, answers=_answers(turnover="decreased"))
    assert refused.value.state is LinkState.USED
    assert Response.objects.count() == 1
    assert Invitation.objects.get().used_at is not None


def test_expired_closed_and_unknown_links() -> None:
    world = survey_world(employers=3)
    client = Client()
    # Past the closing day: expired.
    later = Invitation.objects.get(pk=world.invitations[0].pk).expires_at + dt.timedelta(seconds=1)
    invitation, _ = services.invitation_for_token(token=world.tokens[0])
    assert services.link_state(invitation, now=later) is LinkState.EXPIRED
    with pytest.raises(LinkUnusable):
        services.response_submit(invitation=invitation, answers=_answers(), now=later)  # type: ignore[arg-type]  # found above
    Invitation.objects.filter(pk=world.invitations[0].pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    expired = client.get(_url(world.tokens[0]))
    assert expired.status_code == 410 and b"expired" in expired.content
    assert client.post(_url(world.tokens[0]), {"turnover": "same"}).status_code == 410
    # Closing the survey stops the links not used yet.
    services.survey_close(survey=world.survey)
    closed = client.get(_url(world.tokens[1]))
    assert closed.status_code == 410 and b"closed" in closed.content
    # A made-up or altered token.
    assert client.get(_url(world.tokens[2][:-1] + "x")).status_code in (404, 410)
    assert client.get(_url("nonsense")).status_code == 404
    assert Response.objects.count() == 0


def test_a_bad_answer_saves_nothing_keeps_what_was_typed_and_the_link_still_works(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    world = survey_world(employers=1)
    client = Client()
    bad = client.post(
        _url(world.tokens[0]), {"hard_to_fill": "51-4041, 99-1234, 514041", "planned_hires": "12"}
    )
    assert bad.status_code == 200  # not 400: Django would log the path, which holds the live token
    text = bad.content.decode()
    assert "usa-error-message" in text
    assert "no SOC 2018 major group 99" in text and "write it as ##-####" in text
    assert 'value="12"' in text  # nothing typed is lost
    assert Response.objects.count() == 0 and Invitation.objects.get().used_at is None
    assert world.tokens[0] not in caplog.text  # a live token never reaches the logs
    assert client.post(_url(world.tokens[0]), {"hard_to_fill": "51-4041"}).status_code == 200


def test_tokens_are_never_stored_only_their_hash_and_the_email_carries_the_link() -> None:
    world = survey_world(employers=2)
    assert len(mail.outbox) == 2
    for token, invitation in zip(world.tokens, world.invitations, strict=True):
        stored = Invitation.objects.get(pk=invitation.pk)
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert len(token) >= 43  # 32 random bytes, URL-safe base64
        message = next(m for m in mail.outbox if m.to == [stored.email])
        assert f"/surveys/answer/{token}/" in message.body
        values = [str(v) for v in Invitation.objects.filter(pk=invitation.pk).values().get().values()]
        assert not any(token in value for value in values)
        history = [str(v) for row in stored.history.values() for v in row.values()]  # type: ignore[attr-defined]  # simple-history adds it
        assert not any(token in value for value in history)
        assert not any(stored.token_hash in value for value in history)


def test_invitations_go_to_employer_contacts_only_and_once() -> None:
    world = survey_world(employers=2)
    outsider = PersonFactory()  # not affiliated with an employer member
    board_person = PersonFactory()
    board_person.affiliations.create(organization=world.partnership.convener)
    representative = PersonFactory(email="")
    MembershipFactory(
        partnership=world.partnership,
        organization=EmployerFactory(),
        role=MembershipRole.EMPLOYER_CHAMPION,
        representative=representative,
    )
    contacts = {c.person.pk for c in selectors.employer_contacts(partnership=world.partnership)}
    assert representative.pk in contacts and outsider.pk not in contacts and board_person.pk not in contacts
    already = world.invitations[0].person_id
    result = services.invitations_send(
        survey=world.survey, person_ids=[already, outsider.pk, representative.pk], link_for=lambda t: t
    )
    assert result.invited == []
    assert len(result.skipped) == 3
    assert Invitation.objects.count() == 2


# --- Results --------------------------------------------------------------------------------------------

TURNOVER = ["decreased"] * 9 + ["same"] * 6 + ["increased"] * 2 + ["unknown"] * 3
SATISFACTION = [5] * 8 + [4] * 9 + [3] * 2 + [2] * 1
PRODUCTIVITY = ["higher"] * 16 + ["same"] * 3 + [""]
DAYS = [30, 45, 60, 21, 90, 35, 40, 55, 28, 75, 33, 61, 47, 52, 38, 44, 70, 29, 36, 58]
HIRES = [3, 0, 12, 5, 7, 2, 1, 9, 4, 6, 8, 2, 3, 15, 0, 5, None, None, 4, 6]


def _answered_world(count: int = 20) -> Any:
    world = survey_world(employers=count)
    for i, invitation in enumerate(world.invitations):
        services.response_submit(
            invitation=invitation,
            answers=_answers(
                turnover=TURNOVER[i],
                collaboration_value=SATISFACTION[i],
                productivity=PRODUCTIVITY[i],
                time_to_fill_days=DAYS[i],
                planned_hires=HIRES[i],
                hard_to_fill=["51-4041", "51-4121"] if i % 2 == 0 else (["51-4041"] if i % 3 == 0 else []),
                skill_gaps=["math", "technical"] if i < 12 else ["communication"],
            ),
        )
    return world


def test_shares_and_means_equal_statsmodels_on_the_same_answers() -> None:
    world = _answered_world()
    results = selectors.survey_results(survey=world.survey)
    assert (results.responses, results.invited, results.suppressed) == (20, 20, False)
    shares = {row.key: row.share for row in results.shares}
    # Turnover: 9 decreased of the 17 definite answers (3 "don't know" left out).
    turnover = shares["turnover"]
    low, high = proportion_confint(9, 17, alpha=0.05, method="wilson")
    assert (turnover.successes, turnover.n) == (9, 17)
    assert turnover.low == pytest.approx(low, abs=1e-12) and turnover.high == pytest.approx(high, abs=1e-12)
    # Satisfied (4 or 5): 17 of 20 = 85 %; higher productivity 16 of 19 (one blank).
    satisfied = shares["collaboration_value"]
    assert (satisfied.successes, satisfied.n, satisfied.estimate) == (17, 20, 0.85)
    low, high = proportion_confint(17, 20, alpha=0.05, method="wilson")
    assert satisfied.low == pytest.approx(low, abs=1e-12) and satisfied.high == pytest.approx(high, abs=1e-12)
    assert (shares["productivity"].successes, shares["productivity"].n) == (16, 19)
    # Nobody answered rework: suppressed, no figure.
    assert shares["rework"].suppressed and shares["rework"].estimate is None
    means = {row.key: row.mean for row in results.means}
    stats = DescrStatsW(DAYS)
    low, high = stats.tconfint_mean(alpha=0.05)
    assert means["time_to_fill_days"].estimate == pytest.approx(stats.mean)
    assert (means["time_to_fill_days"].low, means["time_to_fill_days"].high) == (
        pytest.approx(low),
        pytest.approx(high),
    )
    hires = [h for h in HIRES if h is not None]
    low, high = DescrStatsW(hires).tconfint_mean(alpha=0.05)
    assert means["planned_hires"].n == 18
    assert (means["planned_hires"].low, means["planned_hires"].high) == (
        pytest.approx(low),
        pytest.approx(high),
    )


def test_the_results_page_shows_the_figures_and_no_employer() -> None:
    world = _answered_world()
    staff = UserFactory(role="state_staff")
    client = Client()
    client.force_login(staff)
    page = client.get(f"/surveys/{world.survey.pk}/results/").content.decode()
    assert "20 responses from 20 invited contacts (100&nbsp;% response rate)" in page
    assert "85&nbsp;%" in page  # satisfied
    partnership_page = client.get(f"/surveys/partnerships/{world.partnership.pk}/").content.decode()
    assert "Latest results: Employer survey 2025" in partnership_page and "85&nbsp;%" in partnership_page
    assert "Machinists" in partnership_page
    for invitation in world.invitations:
        for text in (page, partnership_page):
            assert invitation.organization.name not in text
            assert invitation.email not in text


def test_fewer_than_ten_answers_are_too_few_to_show() -> None:
    world = _answered_world(count=9)
    results = selectors.survey_results(survey=world.survey)
    assert results.suppressed
    assert all(row.share.suppressed and row.share.estimate is None for row in results.shares)
    assert all(row.mean.suppressed and row.mean.estimate is None for row in results.means)
    demand = selectors.survey_demand_summary(partnership=world.partnership)
    assert (
        demand.suppressed and demand.employers == 9 and demand.occupations == [] and demand.skill_gaps == []
    )
    client = Client()
    client.force_login(UserFactory(role="viewer"))
    page = client.get(f"/surveys/{world.survey.pk}/results/").content.decode()
    assert page.count("too few to show") == len(results.shares) + len(results.means)
    assert "77&nbsp;%" not in page  # 7 satisfied of 9 would be 78 %; nothing of the kind is shown
    panel = client.get(f"/partnerships/{world.partnership.pk}/").content.decode()
    assert 'id="demand-suppressed"' in panel


# --- Demand summary and the partnership panel -------------------------------------------------------------


def test_demand_summary_ranks_occupations_by_employers() -> None:
    world = _answered_world()
    summary = selectors.survey_demand_summary(partnership=world.partnership)
    # By hand: 51-4041 named by the even employers (10) and by 3 and 9, 15 (odd multiples of 3) = 13;
    # 51-4121 by the even ones = 10.
    expected = Counter()
    for i in range(20):
        codes = ["51-4041", "51-4121"] if i % 2 == 0 else (["51-4041"] if i % 3 == 0 else [])
        expected.update(codes)
    assert [(o.soc_code, o.title, o.employers) for o in summary.occupations] == [
        ("51-4041", "Machinists", expected["51-4041"]),
        ("51-4121", "Welders, Cutters, Solderers, and Brazers", expected["51-4121"]),
    ]
    assert expected["51-4041"] == 13
    assert [(g.skill, g.employers) for g in summary.skill_gaps] == [
        ("math", 12),
        ("technical", 12),
        ("communication", 8),
    ]


def test_an_employer_answering_two_surveys_counts_once(django_assert_max_num_queries: Any) -> None:
    world = _answered_world(count=10)
    second = survey_world(employers=0, partnership=world.partnership)
    # The same contacts invited again to a second survey; one of them names 51-4041 again.
    result = services.invitations_send(
        survey=second.survey, person_ids=[world.invitations[1].person_id], link_for=lambda t: t
    )
    services.response_submit(
        invitation=result.invited[0], answers=_answers(hard_to_fill=["51-4041", "29-1141"])
    )
    with django_assert_max_num_queries(3):
        summary = selectors.survey_demand_summary(partnership=world.partnership)
    counts = {o.soc_code: o.employers for o in summary.occupations}
    assert summary.employers == 10
    assert counts["29-1141"] == 1
    assert counts["51-4041"] == 1 + sum(1 for i in range(10) if i % 2 == 0 or i % 3 == 0)


def test_the_partnership_page_shows_the_demand_panel_to_those_who_may_see_results() -> None:
    world = _answered_world()
    url = f"/partnerships/{world.partnership.pk}/"
    staff = Client()
    staff.force_login(UserFactory(role="state_staff"))
    page = staff.get(url).content.decode()
    assert "Employer demand (employer surveys)" in page
    assert "Machinists" in page and "51-4041" in page
    public = Client().get(url).content.decode()
    assert "Employer demand" not in public and "Machinists" not in public


# --- Export ---------------------------------------------------------------------------------------------


def test_exports_hold_every_response_and_no_contact() -> None:
    world = _answered_world()
    client = Client()
    client.force_login(UserFactory(role="state_staff"))
    response = client.get(f"/surveys/{world.survey.pk}/responses.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]  # a streaming response
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 20
    assert Counter(row["turnover"] for row in rows) == Counter(TURNOVER)
    assert sum(1 for row in rows if "51-4121" in row["hard_to_fill_soc"]) == 10
    for invitation in world.invitations:
        assert invitation.email not in text and invitation.organization.name not in text
    xlsx = client.get(f"/surveys/{world.survey.pk}/responses.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 21 and values[0][0] == "response"
    days = values[0].index("time_to_fill_days")
    assert sorted(int(row[days]) for row in values[1:]) == sorted(DAYS)
    assert client.get(f"/surveys/{world.survey.pk}/responses.pdf").status_code == 404


# --- Custom questions and the pages of the survey's managers ----------------------------------------------


def test_custom_questions_from_draft_to_results() -> None:
    world = survey_world(employers=0)
    convener = UserFactory(role="convener", organization=world.partnership.convener)
    client = Client()
    client.force_login(convener)
    created = client.post(
        f"/surveys/partnerships/{world.partnership.pk}/new/",
        {"title": "Spring survey", "opens_on": "2026-01-01", "closes_on": "2099-12-31"},
    )
    assert created.status_code == 302
    survey = world.partnership.surveys.get(title="Spring survey")  # type: ignore[attr-defined]  # reverse relation
    bad = client.post(
        f"/surveys/{survey.pk}/questions/new/", {"text": "Host?", "kind": "choice", "choices": "Yes"}
    )
    assert bad.status_code == 200 and "at least two options" in bad.content.decode()
    client.post(
        f"/surveys/{survey.pk}/questions/new/", {"text": "Host?", "kind": "choice", "choices": "Yes\nNo"}
    )
    client.post(
        f"/surveys/{survey.pk}/questions/new/", {"text": "Rate us", "kind": "scale", "required": "on"}
    )
    assert client.post(f"/surveys/{survey.pk}/open/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    late = client.post(f"/surveys/{survey.pk}/questions/new/", {"text": "Late", "kind": "text"})
    assert "while the survey is a draft" in late.content.decode()
    people = [PersonFactory() for _ in range(10)]
    for person in people:
        employer = EmployerFactory()
        person.affiliations.create(organization=employer)
        MembershipFactory(partnership=world.partnership, organization=employer)
    sent = client.post(f"/surveys/{survey.pk}/invite/", {"contacts": [p.pk for p in people]})
    assert sent.status_code == 302 and len(mail.outbox) == 10
    tokens = [m.body.split("/surveys/answer/")[1].split("/")[0] for m in mail.outbox]
    host, rate = list(survey.questions.all())
    missing = Client().post(_url(tokens[0]), {f"q{host.pk}": "Yes"})
    assert "This field is required" in missing.content.decode()  # the scale is required
    assert Invitation.objects.get(email=mail.outbox[0].to[0]).used_at is None
    for i, token in enumerate(tokens):
        answer = {f"q{host.pk}": "Yes" if i < 7 else "No", f"q{rate.pk}": str(5 if i < 4 else 3)}
        assert Client().post(_url(token), answer).status_code == 200
    results = selectors.survey_results(survey=survey)
    host_result, rate_result = results.custom
    assert [(label, share.successes, share.n) for label, share in host_result.shares] == [
        ("Yes", 7, 10),
        ("No", 3, 10),
    ]
    assert rate_result.mean is not None and rate_result.mean.estimate == pytest.approx(3.8)
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "10 of 10 invited contacts have answered" in page


def test_soc_codes() -> None:
    assert soc_code_error("51-4041") is None
    assert "##-####" in (soc_code_error("514041") or "")
    assert "major group 99" in (soc_code_error("99-1111") or "")
    assert soc_title("51-4041") == "Machinists" and soc_title("51-0000") == "Production Occupations"
    assert soc_title("51-9999") is None
    assert parse_soc_codes("51-4041; 51-4041\n29-1141") == (["51-4041", "29-1141"], [])
    assert HardToFillOccupation._meta.get_field("soc_code").validators


def test_results_chart_and_query_counts(django_assert_num_queries: Any) -> None:
    world = _answered_world()
    with django_assert_num_queries(4):
        results = selectors.survey_results(survey=world.survey)
    assert results.chart is not None
    points = {row["measure"]: row for row in results.chart["data"]["values"]}
    shown = [row for row in results.shares if not row.share.suppressed]
    assert set(points) == {row.label for row in shown} and "rework decreased" not in points
    satisfied = points["satisfied with the value of collaborating"]
    assert (satisfied["estimate"], satisfied["n"]) == (0.85, 20)
    survey_world(employers=2, partnership=world.partnership)
    staff = UserFactory(role="state_staff")
    with django_assert_num_queries(1):  # one query, counts annotated, whatever the number of surveys
        surveys = list(selectors.survey_list(user=staff))
    assert sorted((s.invited, s.responded) for s in surveys) == [(2, 0), (20, 20)]
    assert selectors.survey_results(survey=world.survey, minimum=21).chart is None


def test_a_new_link_replaces_the_old_and_a_new_closing_date_moves_the_expiry() -> None:
    world = survey_world(employers=2)
    invitation = world.invitations[0]
    tokens: list[str] = []
    services.invitation_resend(invitation=invitation, link_for=lambda token: tokens.append(token) or token)
    assert len(mail.outbox) == 3 and tokens[0] in mail.outbox[-1].body
    client = Client()
    assert client.get(_url(world.tokens[0])).status_code == 404  # the old link is gone
    assert client.get(_url(tokens[0])).status_code == 200
    later = world.survey.closes_on + dt.timedelta(days=14)
    services.survey_update(survey=world.survey, values={"closes_on": later})
    assert {i.expires_at for i in Invitation.objects.all()} == {services.link_expiry(later)}
    assert timezone.localtime(services.link_expiry(later)).date() == later + dt.timedelta(days=1)
    client.post(_url(tokens[0]), {"turnover": "same"})
    with pytest.raises(ValidationError, match="already answered"):
        services.invitation_resend(invitation=invitation, link_for=str)
