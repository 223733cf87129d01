"""Documents the grants app writes: the decision letter (PDF through WeasyPrint, from a template)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from sectorwise.grants.models import Application, ApplicationState, Award


def decision_letter_pdf(*, application: Application) -> bytes:
    """The letter telling the applicant the decision: the award (amount, period, conditions, split by
    source, reporting due dates) or the decline. Only for a decided application (the caller checks)."""
    from weasyprint import HTML  # imported here: loading Pango costs a few hundred ms

    award = Award.objects.filter(application=application).prefetch_related("funding__source").first()
    html = render_to_string(
        "grants/decision_letter.html",
        {
            "application": application,
            "awarded": application.state == ApplicationState.AWARDED and award is not None,
            "award": award,
            "due_dates": list(award.reports_due.values_list("due_on", flat=True)) if award else [],
            "issued_on": timezone.localdate(),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
