"""Request-size limit: a body larger than the settings allow is answered 413 before anything reads it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    """413 for a request whose Content-Length exceeds the limit for its kind: a multipart upload (an import
    file) may be ``SECTORWISE_MAX_UPLOAD_BYTES``, any other body ``SECTORWISE_MAX_BODY_BYTES``.

    Django limits a form's fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams any size of uploaded file to
    disk, and its refusal of a large JSON body surfaces inside the API as an error; checking the declared
    length first answers both with one clear status. A body sent without a length (chunked) is read as empty
    by Django's WSGI handler, so the declared length is the whole story.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Content-Length is not a number.", status=400, content_type="text/plain")
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        limit: int = settings.SECTORWISE_MAX_UPLOAD_BYTES if multipart else settings.SECTORWISE_MAX_BODY_BYTES
        if length > limit:
            message = f"The request body is {length:,} bytes; the limit is {limit:,} bytes" + (
                " (SECTORWISE_MAX_UPLOAD_MB)." if multipart else " (SECTORWISE_MAX_BODY_KB)."
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain")
        return self.get_response(request)
