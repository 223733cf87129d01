"""Locust users for the deadline spike (``benchmarks/grants_load.py --spike``): each user is one convener
who, at a random moment within the window, opens its complete draft and submits it, once.

The runner passes, through ``SECTORWISE_BENCH_PLAN``, one submitter per user (session and CSRF cookies made
at seed time, so the spike is about submission, not sign-in; the edit page's path) and the form's fields.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

import gevent
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["SECTORWISE_BENCH_PLAN"]).read_text(encoding="utf-8"))
_submitters = iter(PLAN["submitters"])
_window = float(PLAN.get("window_s", 60))
_think = itertools.cycle([1.0, 2.0, 3.0])


class Convener(FastHttpUser):
    wait_time = constant(0)

    @task
    def submit_once(self) -> None:
        submitter = next(_submitters, None)
        if submitter is None:  # more users than drafts: nothing to do
            raise StopUser
        gevent.sleep(random.uniform(0, _window))  # arrivals spread over the window (the deadline minute)
        headers = {"Cookie": submitter["cookie"]}
        with self.client.get(
            submitter["path"], name="application page (GET)", headers=headers, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
        gevent.sleep(next(_think))  # reads it over, presses Submit
        form = PLAN["form"] | {"title": submitter["title"], "csrfmiddlewaretoken": submitter["csrf"]}
        with self.client.post(
            submitter["path"],
            data=form,
            name="submit (POST)",
            headers=headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                detail = (
                    "refused by the form" if response.status_code == 200 else f"HTTP {response.status_code}"
                )
                response.failure(detail)
        raise StopUser
