"""The concurrency-test harness shared by the PostgreSQL race tests (capacity, grants, surveys).

``race`` runs callables in their own threads (each thread gets its own database connection), released together
by a barrier; ``POSTGRES_ONLY`` is the module mark those tests use: a transactional test database, and skipped
on SQLite, whose test database is one in-memory database shared between threads with writers serialised
(BEGIN IMMEDIATE), so the race cannot happen there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection, connections

POSTGRES_ONLY = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent connections (PostgreSQL); SQLite serialises writers with BEGIN IMMEDIATE",
    ),
]


def race(work: Sequence[Callable[..., Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run each callable in its own thread (own connection), released together by a barrier.

    Returns the results of the callables that returned and the errors of those that raised, each in the order
    the threads finished."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[..., Any]) -> None:
        try:
            barrier.wait()
            outcome = job()
            with lock:
                results.append(outcome)
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
