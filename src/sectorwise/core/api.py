"""What every app's API router shares: one answer for every refused write, and one page size limit.

Refusals: 422 ``{"message": ..., "fields": {"name": ["..."]}}``.
Both kinds of refusal take this shape: a ``django.core.exceptions.ValidationError`` raised by a service (the
same rules as the pages and imports) and django-ninja's own request validation (a wrong type, a missing field,
a null where a value is required, a ``limit`` above the maximum). Routes let the errors propagate instead of
translating them one by one, so no route can forget a field name or answer 500 for a bad payload.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import ValidationError as RequestValidationError
from ninja.pagination import LimitOffsetPagination

#: Where django-ninja says a request value came from; the field is named after it.
_REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def refused_body(fields: dict[str, list[str]]) -> dict[str, Any]:
    """The body of a 422: a one-line summary and the messages by field (``__all__``: not about one field)."""
    summary = "; ".join(
        f"{name}: {' '.join(messages)}" if name != NON_FIELD_ERRORS else " ".join(messages)
        for name, messages in fields.items()
    )
    return {"message": summary or "The request was refused.", "fields": fields}


def model_error_fields(
    error: ModelValidationError, aliases: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """A service's errors by field, under the names the API's bodies use (``aliases``: service -> API)."""
    if hasattr(error, "error_dict"):
        return {
            (aliases or {}).get(name, name): list(messages) for name, messages in error.message_dict.items()
        }
    return {NON_FIELD_ERRORS: list(error.messages)}


def _field_of(location: tuple[Any, ...] | list[Any], parameter_names: frozenset[str]) -> str:
    """``("body", "payload", "name")`` -> ``name``; ``("query", "limit")`` -> ``limit``."""
    parts = [str(part) for part in location]
    if parts and parts[0] in _REQUEST_PARTS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in parameter_names:
        parts = parts[1:]  # the view's parameter ("payload", "filters"), not a field the client sent
    names = [part for part in parts if not part.isdigit()]
    return names[0] if names else NON_FIELD_ERRORS


def request_error_fields(error: RequestValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    parameter_names = frozenset({"payload", "filters", "data", "body"})
    for item in error.errors:
        name = _field_of(item.get("loc", ()), parameter_names)
        fields.setdefault(name, []).append(str(item.get("msg", "Invalid value.")))
    return fields


def install(api: NinjaAPI, *, field_aliases: dict[str, str] | None = None) -> None:
    """Register the handlers on ``api`` (``sectorwise.web.api``, the composition root). ``field_aliases``
    renames the fields a service names to the API's names for them (partnerships' ``target_naics`` is
    ``target_naics_codes``): each app's ``SERVICE_FIELD_NAMES``, merged by the root."""

    @api.exception_handler(ModelValidationError)
    def _service_refused(request: HttpRequest, error: ModelValidationError) -> HttpResponse:
        fields = model_error_fields(error, field_aliases)
        return api.create_response(request, refused_body(fields), status=422)

    @api.exception_handler(RequestValidationError)
    def _request_refused(request: HttpRequest, error: RequestValidationError) -> HttpResponse:
        return api.create_response(request, refused_body(request_error_fields(error)), status=422)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": "You may not do this."}, status=403)


#: Offsets past this are refused (422) rather than sent to the database as an out-of-range integer.
MAX_OFFSET: Final = 1_000_000_000


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """Every API list's pagination (``@paginate(CappedLimitOffsetPagination)``): ``limit`` at most
    ``settings.SECTORWISE_API_PAGE_SIZE_MAX``; a larger one is refused (422 naming ``limit``), not clamped,
    so that a client never silently gets fewer rows than it asked for."""

    class Input(Schema):
        limit: int = Field(
            min(100, settings.SECTORWISE_API_PAGE_SIZE_MAX),
            ge=1,
            le=settings.SECTORWISE_API_PAGE_SIZE_MAX,
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=settings.SECTORWISE_API_PAGE_SIZE_MAX, **kwargs)
