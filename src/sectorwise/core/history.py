"""History pages for any app's records (django-simple-history), diffed in memory.

An app's history view is three lines::

    records = history_records(Grant, id=grant.pk)
    entries = history_entries(records, subject="Grant", names={"funder": names_of(Organization, ...)})
    return history_page(request, subject=grant, back_url=reverse(...), entries=entries)

Entries show who changed what and when, field by field: choices by their labels, foreign keys by the names
given in ``names``, and the extra columns a model's historical records carry beyond its own fields (a
partnership's target industries, a region's counties: child rows snapshotted into the parent's record;
NULL there means "not recorded yet", so it is never shown as a change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

HISTORY_LIMIT: Final = 200
"""Entries a history page shows, newest first."""

_ACTIONS: Final = {"+": "Created", "~": "Changed", "-": "Deleted"}
_HIDDEN_FIELDS: Final = frozenset({"created_at", "updated_at", "id"})
_HISTORY_OWN: Final = frozenset(
    {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
)


@dataclass
class HistoryEntry:
    when: Any
    who: str
    action: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    """(field label, old, new), as shown."""


def shown(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def names_of(model: type[Model], ids: Iterable[Any]) -> dict[Any, str]:
    """Records' names by id, in one query (foreign keys in a history are shown by name)."""
    wanted = {value for value in ids if value is not None}
    return {pk: str(obj) for pk, obj in model._default_manager.in_bulk(wanted).items()} if wanted else {}


def history_records(model: type[Model], **filters: Any) -> list[Any]:
    """The model's historical records matching ``filters`` (``id=``, ``partnership_id=`` ...), with users."""
    manager = model.history  # type: ignore[attr-defined]  # simple-history adds it
    return list(manager.filter(**filters).select_related("history_user"))


def _snapshot_fields(record: Any) -> list[str]:
    """Columns of the historical record that the model itself does not have (child rows' snapshots)."""
    own = {model_field.name for model_field in record.instance_type._meta.fields}
    return [
        model_field.name
        for model_field in record._meta.fields
        if model_field.name not in own and model_field.name not in _HISTORY_OWN
    ]


def _snapshot_changes(record: Any, before: Any, names: list[str]) -> list[tuple[str, str, str]]:
    changes = []
    for name in names:
        old, new = getattr(before, name, None), getattr(record, name, None)
        if old is not None and new is not None and old != new:
            label = str(record._meta.get_field(name).verbose_name)
            changes.append((label, shown(old), shown(new)))
    return changes


def history_entries(
    records: Iterable[Any],
    *,
    subject: str | Callable[[Any], str],
    names: Mapping[str, Mapping[Any, str]] | None = None,
) -> list[HistoryEntry]:
    """One entry per historical record, newest first, with what changed against the same object's previous
    record. ``subject`` names what each record is about (a text, or a function of the record); ``names``
    maps a foreign key's field name to {id: name}. No query per record."""
    lookups = names or {}
    describe = subject if callable(subject) else (lambda _: subject)
    previous: dict[Any, Any] = {}
    snapshots: list[str] | None = None
    entries = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        entry = HistoryEntry(
            when=record.history_date,
            who=record.history_user.get_username() if record.history_user else "system",
            action=_ACTIONS.get(record.history_type, record.history_type),
            subject=describe(record),
        )
        before = previous.get(record.id)
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=list(_HIDDEN_FIELDS))
            for change in delta.changes:
                model_field = record.instance_type._meta.get_field(change.field)
                label = str(model_field.verbose_name)
                # Choices by their labels ("Implementation", not "implementation"); foreign keys by name.
                lookup = lookups.get(change.field) or dict(model_field.flatchoices or ())
                entry.changes.append(
                    (
                        label,
                        shown(lookup.get(change.old, change.old)),
                        shown(lookup.get(change.new, change.new)),
                    )
                )
            if snapshots is None:
                snapshots = _snapshot_fields(record)
            entry.changes += _snapshot_changes(record, before, snapshots)
        previous[record.id] = record
        entries.append(entry)
    entries.reverse()
    return entries[:HISTORY_LIMIT]


def merged(*entry_lists: list[HistoryEntry]) -> list[HistoryEntry]:
    """Several records' entries (a partnership and its members) in one list, newest first."""
    entries = [entry for entries in entry_lists for entry in entries]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:HISTORY_LIMIT]


def history_page(
    request: HttpRequest,
    *,
    subject: Any,
    back_url: str,
    entries: list[HistoryEntry],
    template: str = "core/history.html",
) -> HttpResponse:
    """The history page (``core/history.html``: a table of entries under "History of <subject>")."""
    return render(request, template, {"subject": subject, "back_url": back_url, "entries": entries})
