"""Locust users for the web load benchmark: signed-in state staff browsing the registry.

The runner (``benchmarks/web_load.py``) passes the pages to visit and ready-made session cookies through
``SECTORWISE_BENCH_PLAN`` (a JSON file), so that no login (and no Argon2 hash) sits in the measured loop.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["SECTORWISE_BENCH_PLAN"]).read_text(encoding="utf-8"))
_sessions = itertools.cycle(PLAN["sessions"])


def _paths(name: str) -> list[str]:
    value = PLAN["pages"][name]
    return value if isinstance(value, list) else [value]


class StaffUser(FastHttpUser):
    """FastHttpUser (geventhttpclient): the load generator shares the machine's CPUs with the server, so the
    cheaper client leaves more of them to the pages being measured."""

    # A person clicking through pages, not a tight loop: think time between requests.
    wait_time = between(PLAN.get("wait_min", 0.5), PLAN.get("wait_max", 1.5))

    def on_start(self) -> None:
        self.cookie = f"{PLAN['session_cookie']}={next(_sessions)}"

    def _get(self, name: str) -> None:
        path = random.choice(_paths(name))
        with self.client.get(
            path, name=name, headers={"Cookie": self.cookie}, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} for {path}")

    @task(3)
    def dashboard(self) -> None:
        self._get("dashboard")

    @task(4)
    def partnership_list(self) -> None:
        self._get("list")

    @task(2)
    def partnership_list_filtered(self) -> None:
        self._get("list (filtered)")

    @task(4)
    def partnership_detail(self) -> None:
        self._get("detail")

    @task(2)
    def organization_detail(self) -> None:
        self._get("organization")

    @task(2)
    def api_list(self) -> None:
        self._get("api list")

    @task(2)
    def api_detail(self) -> None:
        self._get("api detail")
