"""A transparent target-industry ranking: indicators, normalisation, weights, explanation, sensitivity.

Input: one row per candidate (an industry at a chosen NAICS level, or a cluster) with its indicators, as
:mod:`sectorwise.lmi.rank_indicators` builds them. Every indicator is "higher is better":

====================  =================================================================================
size                  employment in the region
lq                    location quotient against the reference area
growth                compound annual employment growth over the growth span
competitive_effect    shift-share competitive effect as a share of base-period employment
wage_ratio            industry average weekly wage / the region's all-industry average weekly wage
cluster_strength      0-1: share of the strong-cluster tests its benchmark clusters pass in the region
occupation_wages      mean annual wage of the occupations the industry employs (OEWS staffing pattern)
====================  =================================================================================

Method
------
1. Screening: a candidate whose figures are suppressed or incomplete, or that has fewer than
   ``min_employment`` jobs or ``min_establishments`` establishments, is not ranked; it is listed in
   ``not_ranked`` with the reason. So is a candidate lacking an indicator that others have.
2. An indicator that no candidate has (e.g. growth when only one year is loaded) is left out, with a note;
   the remaining weights are used as they are.
3. Normalisation within the screened candidates, to [0, 1]:
   ``percentile``: (number of candidates with a lower value + half the number of other candidates with the
   same value) / (n - 1); ``minmax``: (value - min) / (max - min). A single candidate, or all-equal values,
   get 0.5. Both are non-decreasing in the candidate's own value.
4. Score = sum_k w_k x normalised_k / sum_k w_k, in [0, 1]; each term is the indicator's contribution, so a
   score is explained indicator by indicator (``explanation``). Raising any one indicator of a candidate
   never lowers its score.
5. Sensitivity: every weight in turn is moved by -25 % and +25 %, the candidates re-scored, and the top ten
   compared with the baseline's (who enters, who leaves, the largest move in rank).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import pyarrow as pa

INDICATORS: Final = (
    "size",
    "lq",
    "growth",
    "competitive_effect",
    "wage_ratio",
    "cluster_strength",
    "occupation_wages",
)
INDICATOR_LABELS: Final[dict[str, str]] = {
    "size": "Employment",
    "lq": "Location quotient",
    "growth": "Employment growth (annual rate)",
    "competitive_effect": "Shift-share competitive effect (share of base employment)",
    "wage_ratio": "Wage vs regional average",
    "cluster_strength": "Cluster strength (0-1)",
    "occupation_wages": "Mean wage of its occupations",
}
NORMALISATIONS: Final = ("percentile", "minmax")
SENSITIVITY_STEP: Final = 0.25
TOP_N: Final = 10
NEUTRAL: Final = 0.5

Normalisation = Literal["percentile", "minmax"]


class RankingConfigError(ValueError):
    """A ranking settings file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class RankingConfig:
    """Weights and screening thresholds; :func:`load_ranking_config` reads them."""

    weights: Mapping[str, float]
    normalisation: Normalisation = "percentile"
    min_employment: int = 50
    min_establishments: int = 3
    #: A candidate more of whose employment than this share is estimated (see rank_candidates) is not ranked.
    max_estimated_share: float = 0.5
    source: str = "defaults"


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().lstrip("[").strip().strip("\"'").startswith(key):
            return number
    return None


def _at(path: str, text: str, key: str) -> str:
    line = _line_of(text, key)
    return f"{path}, line {line}" if line is not None else path


def _parse(text: str, path: str, base: RankingConfig | None) -> RankingConfig:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends with "(at line L, column C)".
        raise RankingConfigError(f"{path}: not valid TOML: {error}") from error
    unknown_tables = set(document) - {"ranking", "weights"}
    if unknown_tables:
        key = sorted(unknown_tables)[0]
        raise RankingConfigError(
            f"{_at(path, text, key)}: unknown entry {key!r}; expected the tables [ranking] and [weights]"
        )
    weights = dict(base.weights) if base else {}
    raw_weights = document.get("weights", {})
    if not isinstance(raw_weights, Mapping):
        raise RankingConfigError(f"{_at(path, text, 'weights')}: `weights` must be a table")
    for key, value in raw_weights.items():
        where = _at(path, text, key)
        if key not in INDICATORS:
            raise RankingConfigError(
                f"{where}: unknown indicator {key!r} in [weights]; known: {', '.join(INDICATORS)}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RankingConfigError(f"{where}: weight {key!r} must be a number, not {value!r}")
        if not math.isfinite(value) or value < 0:
            raise RankingConfigError(f"{where}: weight {key!r} must be zero or positive, not {value!r}")
        weights[key] = float(value)
    settings = document.get("ranking", {})
    if not isinstance(settings, Mapping):
        raise RankingConfigError(f"{_at(path, text, 'ranking')}: `ranking` must be a table")
    unknown = set(settings) - {"normalisation", "min_employment", "min_establishments", "max_estimated_share"}
    if unknown:
        key = sorted(unknown)[0]
        raise RankingConfigError(
            f"{_at(path, text, key)}: unknown setting {key!r} in [ranking]; "
            "known: normalisation, min_employment, min_establishments, max_estimated_share"
        )
    share = settings.get("max_estimated_share", base.max_estimated_share if base else 0.5)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= share <= 1.0:
        raise RankingConfigError(
            f"{_at(path, text, 'max_estimated_share')}: max_estimated_share must be a number from 0 to 1, "
            f"not {share!r}"
        )
    normalisation = settings.get("normalisation", base.normalisation if base else "percentile")
    if normalisation not in NORMALISATIONS:
        raise RankingConfigError(
            f"{_at(path, text, 'normalisation')}: normalisation must be one of {', '.join(NORMALISATIONS)}, "
            f"not {normalisation!r}"
        )
    thresholds: dict[str, int] = {}
    for key in ("min_employment", "min_establishments"):
        default = getattr(base, key) if base else 0
        value = settings.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RankingConfigError(
                f"{_at(path, text, key)}: {key} must be a whole number >= 0, not {value!r}"
            )
        thresholds[key] = value
    if not any(weight > 0 for weight in weights.values()):
        raise RankingConfigError(
            f"{path}: every weight is zero; give at least one indicator a positive weight"
        )
    return RankingConfig(
        weights={key: weights.get(key, 0.0) for key in INDICATORS},
        normalisation=normalisation,
        min_employment=thresholds["min_employment"],
        min_establishments=thresholds["min_establishments"],
        max_estimated_share=float(share),
        source=path,
    )


def default_config() -> RankingConfig:
    """The settings shipped in ``ranking_defaults.toml``."""
    text = resources.files("sectorwise.lmi").joinpath("ranking_defaults.toml").read_text(encoding="utf-8")
    config = _parse(text, "ranking_defaults.toml (built in)", None)
    return replace(config, source="defaults")


def load_ranking_config(path: Path | str | None = None) -> RankingConfig:
    """The defaults, overridden by the keys a user's TOML file sets. Errors name the file and line."""
    base = default_config()
    if path is None:
        return base
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RankingConfigError(
            f"{path}: cannot read the ranking settings: {error.strerror or error}"
        ) from error
    return _parse(text, str(path), base)


# --- normalisation -------------------------------------------------------------------------------------


def normalise(values: Sequence[float], method: Normalisation) -> list[float]:
    """Values mapped to [0, 1] within the set, non-decreasing in each value (see the module docstring)."""
    n = len(values)
    if n == 0:
        return []
    if n == 1:
        return [NEUTRAL]
    if method == "minmax":
        low, high = min(values), max(values)
        if high == low:
            return [NEUTRAL] * n
        return [min(1.0, max(0.0, (v - low) / (high - low))) for v in values]
    ordered = sorted(values)
    out = []
    for value in values:
        lower = _count_below(ordered, value)
        equal = _count_below(ordered, value, inclusive=True) - lower
        out.append((lower + 0.5 * (equal - 1)) / (n - 1))
    return out


def _count_below(ordered: Sequence[float], value: float, *, inclusive: bool = False) -> int:
    from bisect import bisect_left, bisect_right

    return bisect_right(ordered, value) if inclusive else bisect_left(ordered, value)


# --- ranking -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingResult:
    """The ranked candidates, the ones not ranked and why, explanations, sensitivity and notes."""

    ranked: pa.Table
    not_ranked: pa.Table
    explanation: pa.Table
    sensitivity: pa.Table
    indicators_used: tuple[str, ...]
    weights: Mapping[str, float]
    config: RankingConfig
    notes: tuple[str, ...] = field(default_factory=tuple)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _scores(
    normalised: Mapping[str, Sequence[float]], weights: Mapping[str, float], count: int
) -> list[float]:
    total = sum(weights[k] for k in normalised)
    if total <= 0:
        return [0.0] * count
    return [sum(weights[k] * normalised[k][i] for k in normalised) / total for i in range(count)]


def _order(scores: Sequence[float], codes: Sequence[str]) -> list[int]:
    """Candidate indexes best first; ties broken by code so that the order is reproducible."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], codes[i]))


def estimated_share_reason(share: float, limit: float) -> str:
    """Why a candidate resting mostly on estimates is not ranked, with its share and the rule's limit."""
    return (
        f"mostly estimated: {share * 100:.0f} % of its employment is estimated "
        f"(more than {limit * 100:g} %, the ranking's max_estimated_share)"
    )


def rank_candidates(candidates: pa.Table, config: RankingConfig) -> RankingResult:
    """Rank candidates (see the module docstring).

    ``candidates`` columns: ``code``, ``title``, ``employment``, ``establishments``, ``suppressed`` (bool:
    figures withheld or too incomplete to use) and any of :data:`INDICATORS` (nullable numbers); optionally
    ``estimated`` (figures that include the stored estimates of suppressed cells) and ``suppressed_share``
    (the share of the candidate's employment that is estimated): a candidate whose share exceeds
    ``config.max_estimated_share`` is not ranked, and the reason gives the share. Missing indicator columns
    count as unavailable.
    """
    rows = candidates.to_pylist()
    notes: list[str] = []
    not_ranked: list[dict[str, Any]] = []
    eligible: list[dict[str, Any]] = []
    for row in rows:
        employment = _number(row.get("employment")) or 0.0
        establishments = _number(row.get("establishments")) or 0.0
        share = _number(row.get("suppressed_share")) or 0.0
        if row.get("suppressed"):
            reason = "suppressed: figures withheld by BLS or incomplete for the region"
        elif row.get("estimated") and share > config.max_estimated_share:
            reason = estimated_share_reason(share, config.max_estimated_share)
        elif employment < config.min_employment:
            reason = f"small: {employment:,.0f} jobs < {config.min_employment}"
        elif establishments < config.min_establishments:
            reason = f"few establishments: {establishments:,.0f} < {config.min_establishments}"
        else:
            eligible.append(row)
            continue
        not_ranked.append({"code": row["code"], "title": row.get("title"), "reason": reason})

    wanted = [k for k in INDICATORS if config.weights.get(k, 0.0) > 0]
    used: list[str] = []
    for key in wanted:
        if any(_number(row.get(key)) is not None for row in eligible):
            used.append(key)
        else:
            notes.append(
                f"{INDICATOR_LABELS[key]} is not available for any candidate: left out of the scores."
            )
    for key in INDICATORS:
        if key not in wanted:
            notes.append(f"{INDICATOR_LABELS[key]} has weight 0: not used.")
    scored: list[dict[str, Any]] = []
    for row in eligible:
        missing = [k for k in used if _number(row.get(k)) is None]
        if missing:
            not_ranked.append(
                {
                    "code": row["code"],
                    "title": row.get("title"),
                    "reason": "missing indicator: " + ", ".join(INDICATOR_LABELS[k] for k in missing),
                }
            )
        else:
            scored.append(row)

    weights = {k: config.weights[k] for k in used}
    codes = [str(row["code"]) for row in scored]
    normalised = {key: normalise([float(row[key]) for row in scored], config.normalisation) for key in used}
    scores = _scores(normalised, weights, len(scored))
    order = _order(scores, codes)
    total_weight = sum(weights.values())

    ranked_rows: list[dict[str, Any]] = []
    explanation_rows: list[dict[str, Any]] = []
    for position, index in enumerate(order, start=1):
        row = scored[index]
        out: dict[str, Any] = {
            "rank": position,
            "code": row["code"],
            "title": row.get("title"),
            "score": scores[index],
            "employment": _number(row.get("employment")),
            "establishments": _number(row.get("establishments")),
            "estimated": bool(row.get("estimated") or False),
            "suppressed_share": _number(row.get("suppressed_share")),
        }
        for key in INDICATORS:
            out[key] = _number(row.get(key))
        for key in used:
            contribution = weights[key] * normalised[key][index] / total_weight
            out[f"{key}_norm"] = normalised[key][index]
            out[f"{key}_contribution"] = contribution
            explanation_rows.append(
                {
                    "rank": position,
                    "code": row["code"],
                    "indicator": key,
                    "label": INDICATOR_LABELS[key],
                    "value": float(row[key]),
                    "normalised": normalised[key][index],
                    "weight": weights[key] / total_weight,
                    "contribution": contribution,
                }
            )
        ranked_rows.append(out)

    estimated = sum(1 for row in ranked_rows if row["estimated"])
    if estimated:
        notes.append(
            f"{estimated} ranked candidate(s) have suppressed county cells: their figures include the "
            "stored estimates of those cells (`sectorwise lmi estimate`, the same figures `measures` shows, "
            "flagged estimated); see the columns estimated and suppressed_share (the estimated share of "
            "employment). --no-estimate ranks on BLS's published figures only."
        )
    sensitivity = _sensitivity(normalised, weights, codes, scores)
    if not scored:
        notes.append("No candidate passed the screening; nothing is ranked.")
    return RankingResult(
        ranked=_table(ranked_rows, _ranked_schema(used)),
        not_ranked=_table(
            not_ranked, pa.schema([("code", pa.string()), ("title", pa.string()), ("reason", pa.string())])
        ),
        explanation=_table(explanation_rows, _EXPLANATION_SCHEMA),
        sensitivity=sensitivity,
        indicators_used=tuple(used),
        weights=weights,
        config=config,
        notes=tuple(notes),
    )


_EXPLANATION_SCHEMA: Final = pa.schema(
    [
        ("rank", pa.int64()),
        ("code", pa.string()),
        ("indicator", pa.string()),
        ("label", pa.string()),
        ("value", pa.float64()),
        ("normalised", pa.float64()),
        ("weight", pa.float64()),
        ("contribution", pa.float64()),
    ]
)


def _ranked_schema(used: Sequence[str]) -> pa.Schema:
    fields = [
        ("rank", pa.int64()),
        ("code", pa.string()),
        ("title", pa.string()),
        ("score", pa.float64()),
        ("employment", pa.float64()),
        ("establishments", pa.float64()),
        ("estimated", pa.bool_()),
        ("suppressed_share", pa.float64()),
        *[(key, pa.float64()) for key in INDICATORS],
    ]
    for key in used:
        fields.extend([(f"{key}_norm", pa.float64()), (f"{key}_contribution", pa.float64())])
    return pa.schema(fields)


def _table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(
        [{name: row.get(name) for name in schema.names} for row in rows], schema=schema
    )


def _sensitivity(
    normalised: Mapping[str, Sequence[float]],
    weights: Mapping[str, float],
    codes: Sequence[str],
    scores: Sequence[float],
) -> pa.Table:
    base_order = _order(scores, codes)
    base_top = [codes[i] for i in base_order[:TOP_N]]
    base_rank = {codes[i]: r for r, i in enumerate(base_order, start=1)}
    rows = []
    for key in weights:
        for factor in (1 - SENSITIVITY_STEP, 1 + SENSITIVITY_STEP):
            moved = dict(weights)
            moved[key] = weights[key] * factor
            new_scores = _scores(normalised, moved, len(codes))
            new_order = _order(new_scores, codes)
            top = [codes[i] for i in new_order[:TOP_N]]
            new_rank = {codes[i]: r for r, i in enumerate(new_order, start=1)}
            shifts = [abs(new_rank[c] - base_rank[c]) for c in base_top]
            rows.append(
                {
                    "indicator": key,
                    "weight_change": f"{'+' if factor > 1 else '-'}{SENSITIVITY_STEP:.0%}",
                    "top10": ", ".join(top),
                    "entered": ", ".join(c for c in top if c not in base_top),
                    "left": ", ".join(c for c in base_top if c not in top),
                    "same_top10_set": set(top) == set(base_top),
                    "same_top10_order": top == base_top,
                    "max_rank_shift_of_baseline_top10": max(shifts) if shifts else 0,
                }
            )
    schema = pa.schema(
        [
            ("indicator", pa.string()),
            ("weight_change", pa.string()),
            ("top10", pa.string()),
            ("entered", pa.string()),
            ("left", pa.string()),
            ("same_top10_set", pa.bool_()),
            ("same_top10_order", pa.bool_()),
            ("max_rank_shift_of_baseline_top10", pa.int64()),
        ]
    )
    return _table(rows, schema)
