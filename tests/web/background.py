"""Background jobs in tests: django-tasks' real database worker, run in the test's process."""

from __future__ import annotations


def run_worker() -> None:
    """The real db_worker loop, in this process, until the queue is empty.

    Only in tests marked ``django_db(transaction=True)``: the worker closes a connection it finds inside a
    transaction (``close_old_connections``), which on PostgreSQL closes the test's own transaction under it.
    """
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
