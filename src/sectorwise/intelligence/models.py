"""Industry assessments attached to a partnership (issue 14): the assessment the intelligence pages write,
generated for the partnership's region with its target industries named, stored with the data it was
computed from (period, reference, when the warehouse was loaded) so that a grant application can cite it.

The files are kept in the database (HTML, XLSX, PDF; a few hundred kilobytes each): they are the record, and
must not change when the warehouse is reloaded. History (simple-history) records who generated which, without
the files.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from sectorwise.partnerships.models import SectorPartnership


class PartnershipAssessment(models.Model):
    """One industry assessment of a partnership's region, as generated on a given day."""

    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.CASCADE, related_name="industry_assessments"
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    region_name = models.CharField(max_length=200)
    counties = models.JSONField(default=list, help_text="The region's county FIPS codes when generated.")
    target_industries = models.JSONField(
        default=list, help_text="The partnership's target NAICS codes when generated."
    )
    level = models.CharField(
        max_length=20, help_text="The industry level ranked (sector, naics3 ... naics6)."
    )
    period = models.CharField(max_length=60, help_text="The QCEW period of the figures.")
    vintage = models.CharField(max_length=200, help_text="What the figures were computed from.")
    html = models.BinaryField()
    xlsx = models.BinaryField()
    pdf = models.BinaryField()

    history = HistoricalRecords(excluded_fields=["html", "xlsx", "pdf"])

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Industry assessment of {self.region_name} ({self.created_at:%Y-%m-%d})"

    def file(self, fmt: str) -> bytes:
        """The stored file of one format (html, xlsx, pdf)."""
        return bytes(getattr(self, fmt))
