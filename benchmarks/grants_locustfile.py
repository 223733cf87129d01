"""Locust users for the grants pages under load (``benchmarks/grants_load.py``): state staff, a convener, a
reviewer and the public clicking through the grants pages of a 500-application round.

The runner passes the pages (name -> who, path or paths, weight) and ready-made session cookies through
``SECTORWISE_BENCH_PLAN`` (a JSON file), so that no login (and no Argon2 hash) sits in the measured loop.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["SECTORWISE_BENCH_PLAN"]).read_text(encoding="utf-8"))
NAMES = list(PLAN["pages"])
WEIGHTS = [PLAN["pages"][name][2] for name in NAMES]


class GrantsUser(FastHttpUser):
    """Each request a page drawn by its weight, as the user the page is for (FastHttpUser: the load generator
    shares the machine's CPUs with the server)."""

    wait_time = between(PLAN.get("wait_min", 0.5), PLAN.get("wait_max", 1.5))

    @task
    def page(self) -> None:
        name = random.choices(NAMES, weights=WEIGHTS)[0]
        who, value, _ = PLAN["pages"][name]
        path = random.choice(value) if isinstance(value, list) else value
        cookie = PLAN["sessions"][who]
        headers = {"Cookie": cookie} if cookie else {}
        with self.client.get(
            path, name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} for {path}")
