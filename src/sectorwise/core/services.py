"""Checks that every app's write services apply to their records before saving."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model


def refuse_nulls(instance: Model) -> None:
    """A field that cannot hold NULL given None is refused by name (``full_clean`` skips None in fields
    that may be blank, and the database would then fail the save)."""
    nulls = {
        model_field.name: "This field cannot be null."
        for model_field in instance._meta.concrete_fields
        if model_field.editable
        and not model_field.null
        and not model_field.primary_key
        and getattr(instance, model_field.attname) is None
    }
    if nulls:
        raise ValidationError(nulls)


def refuse_duplicate_name(instance: Model, what: str) -> None:
    """Names identify records in imports and exports, so two records may not share one, whatever the case.

    A service rule rather than a unique index on ``Lower(name)``: databases made before this rule may hold
    such duplicates (a migration adding the index would fail on them), and the bulk import writes rows that
    this check has already seen.
    """
    name = getattr(instance, "name")  # noqa: B009  (every record checked here has a name)
    others = type(instance)._default_manager.filter(name__iexact=name)
    if instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise ValidationError({"name": f"There is already {what} called {name!r}."})
