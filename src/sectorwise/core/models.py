"""Base models shared by every app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class TimeStampedModel(models.Model):
    """When a record was created and last changed (the who and what live in its history)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


def name_not_blank_constraint(model_name: str) -> models.CheckConstraint:
    """A name of spaces alone cannot be looked up, exported and imported again."""
    return models.CheckConstraint(
        condition=~models.Q(name__regex=r"^\s*$"), name=f"{model_name}_name_not_blank"
    )


def refuse_blank_name(name: str | None) -> None:
    if name is not None and not name.strip():
        raise ValidationError({"name": "A name cannot be blank."})
