"""The intelligence pages' forms: which region, which NAICS level, which weights (all GET: a view of public
data is a link one can share)."""

from __future__ import annotations

from typing import Any

from django import forms

from sectorwise.core.forms import UswdsForm
from sectorwise.intelligence.selectors import (
    DEFAULT_LEVEL,
    DEFAULT_RANKING_LEVEL,
    LEVELS,
    RegionChoices,
    counties_of,
    default_weights,
)
from sectorwise.lmi.ranking import INDICATOR_LABELS, INDICATORS

LEVEL_CHOICES = [(level, label) for level, (label, _) in LEVELS.items()]
MAX_WEIGHT = 10.0


def _region_options(choices: RegionChoices) -> list[Any]:
    groups: list[Any] = [("", "Choose a region")]
    if choices.registry:
        groups.append(("Registry regions", [(c.key, c.label) for c in choices.registry]))
    for set_name, regions in choices.region_sets:
        groups.append((f"Region set {set_name}", [(c.key, c.label) for c in regions]))
    return groups


class RegionForm(UswdsForm, forms.Form):
    region = forms.ChoiceField(
        label="Region", required=False, help_text="A registry region or a region of a stored region set."
    )
    counties = forms.MultipleChoiceField(
        label="Or counties",
        required=False,
        help_text="Choose one or more counties (hold Ctrl or Command); they are used instead of the region.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    level = forms.ChoiceField(
        label="Industry level", choices=LEVEL_CHOICES, initial=DEFAULT_LEVEL, required=False
    )

    def __init__(
        self, *args: Any, choices: RegionChoices, default_level: str = DEFAULT_LEVEL, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        counties_field = self.fields["counties"]
        assert isinstance(region_field, forms.ChoiceField)
        assert isinstance(counties_field, forms.MultipleChoiceField)
        region_field.choices = _region_options(choices)
        counties_field.choices = counties_of(choices.counties)
        self.fields["level"].initial = default_level

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("region") and not cleaned.get("counties"):
            raise forms.ValidationError("Choose a region or at least one county.")
        return cleaned

    def level_or_default(self, default: str) -> str:
        level = self.cleaned_data.get("level") if self.is_bound and self.is_valid() else None
        return str(level or default)


class RankingForm(RegionForm):
    """The region, the level and one weight per indicator (default: ranking_defaults.toml)."""

    def __init__(self, data: Any = None, *, choices: RegionChoices, **kwargs: Any) -> None:
        defaults = default_weights()
        if data is not None:
            # A link that names only the region (from the explorer) shows the default weights, not blanks.
            data = data.copy()
            for key in INDICATORS:
                data.setdefault(f"w_{key}", f"{defaults[key]:g}")
        super().__init__(data, choices=choices, default_level=DEFAULT_RANKING_LEVEL, **kwargs)
        for key in INDICATORS:
            self.fields[f"w_{key}"] = forms.FloatField(
                label=f"Weight: {INDICATOR_LABELS[key]}",
                required=False,
                min_value=0.0,
                max_value=MAX_WEIGHT,
                initial=defaults[key],
                widget=forms.NumberInput(attrs={"step": "0.25", "min": "0", "max": str(MAX_WEIGHT)}),
            )

    def weights(self) -> dict[str, float]:
        """The weights asked for; a blank field keeps its default."""
        defaults = default_weights()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        chosen = {}
        for key in INDICATORS:
            value = data.get(f"w_{key}")
            chosen[key] = defaults[key] if value is None else float(value)
        return chosen

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{key}"] for key in INDICATORS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        given = [cleaned.get(f"w_{key}") for key in INDICATORS]
        if given and all(value is not None and value == 0 for value in given):
            raise forms.ValidationError("Give at least one indicator a weight above zero.")
        return cleaned


class ZoneComparisonForm(UswdsForm, forms.Form):
    """Two stored region sets, and optionally the states to compare them in."""

    set_a = forms.ChoiceField(label="Your delineation", help_text="E.g. the commuting zones of state setup.")
    set_b = forms.ChoiceField(label="Published set", help_text="E.g. Fowler's 2020 commuting zones.")
    states = forms.CharField(
        label="States (optional)",
        required=False,
        max_length=200,
        help_text="Two-digit state FIPS codes, comma-separated (e.g. 50); empty: every common county.",
    )

    def __init__(self, *args: Any, set_names: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("set_a", "set_b"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Choose a region set"), *set_names]

    def clean_states(self) -> list[str]:
        text: str = self.cleaned_data.get("states") or ""
        codes = [part.strip() for part in text.split(",") if part.strip()]
        bad = [code for code in codes if len(code) != 2 or not code.isdigit()]
        if bad:
            raise forms.ValidationError(f"{bad[0]!r} is not a two-digit state FIPS code.")
        return codes
