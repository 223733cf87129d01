"""What an application's attachment may be, told by its content (never its name): PDF, Word (DOCX), Excel
(XLSX), PNG or JPEG, at most ``MAX_ATTACHMENT_BYTES``. Pure (no Django)."""

from __future__ import annotations

import io
import zipfile
from typing import Final

MAX_ATTACHMENT_BYTES: Final = 10 * 1024 * 1024
"""10 MiB: a long narrative PDF with figures fits; a video does not."""

_SIGNATURES: Final = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_OFFICE: Final = (
    ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


class RefusedFile(ValueError):
    """Why a file cannot be attached (said to the user)."""


def sniff(data: bytes) -> str:
    """The content type of ``data`` if it is one of the accepted kinds; ``RefusedFile`` otherwise."""
    if not data:
        raise RefusedFile("The file is empty.")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise RefusedFile(
            f"The file is {len(data) / 1048576:.1f} MiB; attachments are at most "
            f"{MAX_ATTACHMENT_BYTES // 1048576} MiB."
        )
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        for member, content_type in _OFFICE:
            if member in names:
                return content_type
    raise RefusedFile(
        "The file is not a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG document (told by its content, "
        "not its name)."
    )
