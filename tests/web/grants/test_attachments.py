"""Attachments: told by their content (not their name), size-limited, only on drafts; required kinds block
submission; the file comes back as it was sent."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sectorwise.grants import services
from sectorwise.grants.files import MAX_ATTACHMENT_BYTES, RefusedFile, sniff
from sectorwise.grants.models import Attachment
from tests.web.grants.factories import complete_draft, grants_world
from tests.web.personas import Personas

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def _office(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


def test_types_are_told_by_content() -> None:
    assert sniff(PDF) == "application/pdf"
    assert sniff(PNG) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\0" * 8) == "image/jpeg"
    assert sniff(_office("word/document.xml")).endswith("wordprocessingml.document")
    assert sniff(_office("xl/workbook.xml")).endswith("spreadsheetml.sheet")
    for refused in (b"MZ\x90\0 an executable", _office("evil.sh"), b"<html><script>", b""):
        with pytest.raises(RefusedFile):
            sniff(refused)
    with pytest.raises(RefusedFile, match="at most 10 MiB"):
        sniff(b"%PDF-" + b"\0" * MAX_ATTACHMENT_BYTES)


@pytest.mark.django_db
def test_a_required_assessment_blocks_submission_until_attached(personas: Personas) -> None:
    world = grants_world()
    world.round.required_attachments = ["industry_assessment"]
    world.round.save()
    application = complete_draft(
        grant_round=world.round, partnership=personas.partnership_a, user=personas.convener_a
    )
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=application)
    assert "Industry assessment is required" in refused.value.message_dict["attachments"][0]
    with pytest.raises(ValidationError) as wrong:
        services.attachment_add(
            application=application, kind="industry_assessment", file_name="a.pdf", data=b"not a pdf"
        )
    assert "not a PDF" in wrong.value.message_dict["file"][0]
    services.attachment_add(
        application=application,
        kind="industry_assessment",
        file_name="assessment.pdf",
        data=PDF,
        vintage="QCEW 2024 annual",
    )
    submitted = services.application_submit(application=application)
    assert submitted.state == "submitted"
    with pytest.raises(ValidationError, match="only drafts"):
        services.attachment_add(application=submitted, kind="other", file_name="late.pdf", data=PDF)


@pytest.mark.django_db
def test_upload_page_and_download_round_trip(personas: Personas) -> None:
    world = grants_world()
    application = services.application_create(
        grant_round=world.round, partnership=personas.partnership_a, user=personas.convener_a
    )
    client = Client()
    client.force_login(personas.convener_a)
    url = reverse("grants:application_attachments", kwargs={"pk": application.pk})
    refused = client.post(url, {"kind": "other", "file": SimpleUploadedFile("budget.pdf", b"MZ\x90\0")})
    assert refused.status_code == 200 and "not a PDF" in refused.content.decode()
    sent = client.post(url, {"kind": "letter_of_support", "file": SimpleUploadedFile("letter.png", PNG)})
    assert sent.status_code == 302
    attachment = Attachment.objects.get(application=application)
    assert (attachment.content_type, attachment.file_size) == ("image/png", len(PNG))
    download = client.get(
        reverse("grants:attachment_download", kwargs={"pk": application.pk, "attachment_pk": attachment.pk})
    )
    assert download.content == PNG and download["Content-Type"] == "image/png"
