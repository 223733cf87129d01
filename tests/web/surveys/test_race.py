"""Two (or more) requests with one survey link at the same time: exactly one response is saved, the others
are told the link was used (never an IntegrityError or a 5xx).

Run on PostgreSQL (each thread its own connection; the claim is a conditional UPDATE that PostgreSQL
re-checks once the first transaction commits). On SQLite the test database is shared in memory and writers
are serialised (BEGIN IMMEDIATE), so the race cannot happen there: skipped, and
``test_surveys.test_a_second_submit_with_a_stale_invitation_is_refused`` checks the same claim logically.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from sectorwise.surveys import services
from sectorwise.surveys.models import CustomAnswer, HardToFillOccupation, Invitation, Response
from sectorwise.surveys.services import Answers, LinkState, LinkUnusable
from tests.web.race import POSTGRES_ONLY, race
from tests.web.surveys.factories import survey_world

pytestmark = POSTGRES_ONLY

THREADS = 6


def test_concurrent_submits_with_one_token_save_exactly_one_response() -> None:
    world = survey_world(employers=1)
    token = world.tokens[0]
    loaded = [services.invitation_for_token(token=token)[0] for _ in range(THREADS)]
    assert all(invitation is not None and invitation.used_at is None for invitation in loaded)

    def submit(invitation: Invitation, n: int) -> Any:
        answers = Answers(standard={"planned_hires": n}, hard_to_fill=["51-4041"], skill_gaps=[], custom={})
        return lambda: services.response_submit(invitation=invitation, answers=answers)

    results, errors = race([submit(invitation, n) for n, invitation in enumerate(loaded)])
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, LinkUnusable) and error.state is LinkState.USED for error in errors), errors
    assert Response.objects.count() == 1
    assert HardToFillOccupation.objects.count() == 1
    assert CustomAnswer.objects.count() == 0
    assert Response.objects.get().planned_hires == results[0].planned_hires


def test_concurrent_posts_to_the_answer_page_give_one_thanks_and_gone_pages() -> None:
    world = survey_world(employers=1)
    url = f"/surveys/answer/{world.tokens[0]}/"

    def post(n: int) -> Any:
        return lambda: Client().post(url, {"planned_hires": str(n)}).status_code

    statuses, errors = race([post(n) for n in range(THREADS)])
    assert not errors
    assert sorted(statuses) == [200] + [410] * (THREADS - 1)
    assert Response.objects.count() == 1
