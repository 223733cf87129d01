"""The page of a background import: progress while it runs (htmx polls it), the row report when it fails."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sectorwise.core.access import allow
from sectorwise.partnerships.import_jobs import import_job_for
from sectorwise.partnerships.rules import PartnershipAction


@allow(PartnershipAction.IMPORT)
def import_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """Owner and state staff only (``import_job_for`` answers 404 to anyone else)."""
    job = import_job_for(user=request.user, job_id=job_id)
    template = (
        "partnerships/_import_job_status.html"
        if getattr(request, "htmx", False)
        else "partnerships/import_job.html"
    )
    return render(request, template, {"job": job})
