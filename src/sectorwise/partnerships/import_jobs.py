"""Imports too large for one request run as background jobs (django-tasks, database backend).

Generic: a job names its importer by ``kind`` (``core.tabular.engine.register_importer``), so any app's
``TableImporter`` runs here unchanged. The ``ImportJob`` model stays in ``partnerships`` (its table and
migration 0003) rather than moving to ``core``: moving it would need a state-only migration across apps for no
change in behaviour; the code here knows nothing of partnerships.

The upload is stored with the job; ``sectorwise manage db_worker`` (or the demo's worker thread) runs
``run_import_job``, which writes progress (rows done of rows in all) as it checks and writes, so that the
job's page can show a progress bar. The job page is its owner's (and state staff's): ``import_job_for``
answers 404 for anyone else's job.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from sectorwise.core.rules import visible_to
from sectorwise.core.tabular.engine import ImportResult, importer_for, read_records
from sectorwise.core.tabular.reader import DEFAULT_LIMITS

#: Files with more data rows than this are imported by the worker; smaller ones within the request.
IN_REQUEST_MAX_ROWS: Final = 2_000


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField(help_text="The uploaded file, as sent (dropped once the job has finished).")
    status = models.CharField(max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[[row, field, reason], ...]")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "partnerships"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.SUCCEEDED, ImportJobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


def import_job_create(*, user: Any, kind: str, file_name: str, content: bytes, rows: int) -> ImportJob:
    """Store the upload and queue the job (enqueued once the job's row is committed)."""
    job = ImportJob.objects.create(
        user=user, kind=kind, file_name=file_name, content=content, rows_total=rows * 2
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job_id=job.pk))
    return job


def import_job_for(*, user: Any, job_id: int) -> ImportJob:
    """The job, for its owner or state staff; 404 for anyone else (others' jobs are not even confirmed)."""
    job = import_jobs_visible_to(user=user).filter(pk=job_id).defer("content").first()
    if job is None:
        raise Http404("no such import job")
    return job


def import_jobs_visible_to(*, user: Any) -> models.QuerySet[ImportJob]:
    """The import jobs ``user`` may follow (``PartnershipAction.VIEW_IMPORT_JOB``: state staff)."""
    from sectorwise.partnerships.rules import PartnershipAction

    return visible_to(ImportJob.objects.all(), user=user, action=PartnershipAction.VIEW_IMPORT_JOB)


def import_job_run(*, job_id: int) -> None:
    """Run a queued job: the import itself is all or nothing; progress is written as it goes."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ImportJobStatus.QUEUED:
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, started_at=timezone.now())

    def progress(done: int, total: int) -> None:
        # A plain UPDATE outside the import's transaction: the page must see it while the import runs.
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        result = importer_for(job.kind).run(
            filename=job.file_name, content=bytes(job.content), user=job.user, progress=progress
        )
    except Exception as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJobStatus.FAILED,
            errors=[[1, "file", f"the import stopped: {type(error).__name__}"]],
            content=b"",
            finished_at=timezone.now(),
        )
        raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.SUCCEEDED if result.ok else ImportJobStatus.FAILED,
        created=result.created,
        updated=result.updated,
        errors=[[error.row, error.field, error.reason] for error in result.errors],
        rows_done=job.rows_total if result.ok else 0,
        content=b"",
        finished_at=timezone.now(),
    )


def import_upload(*, kind: str, filename: str, content: bytes, user: Any) -> ImportResult | ImportJob:
    """Import a small file now; store a large one as an ``ImportJob`` for the worker and return the job.

    The file is read (bounded) first in either case, so a file refused as a whole is answered at once.
    """
    importer = importer_for(kind)
    result = ImportResult(kind=importer.kind)
    table = read_records(result, filename=filename, content=content, limits=DEFAULT_LIMITS)
    if table is None:
        return result
    if len(table.records) > IN_REQUEST_MAX_ROWS:
        return import_job_create(
            user=user, kind=importer.kind, file_name=filename, content=content, rows=len(table.records)
        )
    return importer.run(filename=filename, content=content, user=user)


@task()
def run_import_job(job_id: int) -> None:
    import_job_run(job_id=job_id)
