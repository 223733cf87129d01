"""U.S. Cluster Mapping Project (CMP) benchmark cluster definitions, read from a file the user points to.

The definitions (Delgado, Porter & Stern 2016) group 6-digit NAICS 2012 industries into 67 clusters: 51 traded
(serving markets beyond the region) and 16 local. Sectorwise reads the Project's cluster metadata JSON (as its
API served it, e.g. ``cmp_cluster_meta_2015.json``): an object with a ``clusters`` array (or the bare array),
each cluster carrying ``cluster_code_t``, ``name_t``, ``traded_b``, ``naics_2012`` (code -> title),
``sub_clusters`` (number -> name) and ``related_clusters`` (or null). Nothing is bundled: the user keeps
the file.

Some titles in circulation were damaged by a round trip through the wrong encoding (``Menï¿½s`` for
``Men’s``). :func:`repair_mojibake` undoes classic UTF-8-read-as-Latin-1 damage and, where the original
character was already lost to U+FFFD, restores the apostrophe that NAICS titles had in that position.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

TRADED: Final = "traded"
LOCAL: Final = "local"

_REPLACEMENT: Final = "\ufffd"
# A lost character right after a letter and before a letter, 's', a space, comma or the end: in NAICS titles
# this is always a possessive or plural apostrophe (Men's, Boys', Infants').
_LOST_APOSTROPHE: Final = re.compile(r"(?<=[A-Za-z])\ufffd(?=s\b|[\s,;.)]|$)")


class ClusterFileError(ValueError):
    """A cluster definitions file that cannot be used; the message names the file and the entry."""


class UnknownClusterError(KeyError):
    """A cluster code or name that the definitions do not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown cluster"


def repair_mojibake(text: str) -> str:
    """Undo encoding damage where it can be undone; leave clean text unchanged.

    1. UTF-8 bytes decoded as Latin-1/CP-1252 (``Ã©`` for ``é``, ``ï¿½`` for U+FFFD) are re-decoded.
    2. A U+FFFD (the original character already lost) between a letter and ``s``/a boundary becomes ``'``.
    """
    repaired = text
    if any(marker in text for marker in ("Ã", "Â", "ï¿", "â€")):
        for encoding in ("cp1252", "latin-1"):
            try:
                repaired = text.encode(encoding).decode("utf-8")
                break
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
    repaired = _LOST_APOSTROPHE.sub("'", repaired)
    return repaired.strip()


@dataclass(frozen=True)
class RelatedCluster:
    """A cluster related to another by the Project's co-location and input-output linkages."""

    code: str
    name: str
    #: Share (0-100) of the Project's relatedness tests the pair passes.
    related_percentage: float | None
    #: The Project's average relatedness score for the pair.
    related_avg: float | None


@dataclass(frozen=True)
class Cluster:
    """One benchmark cluster: its code, name, kind and 6-digit NAICS 2012 industries."""

    code: str
    name: str
    traded: bool
    naics: Mapping[str, str]
    sub_clusters: Mapping[str, str]
    related: tuple[RelatedCluster, ...]

    @property
    def kind(self) -> str:
        return TRADED if self.traded else LOCAL


@dataclass(frozen=True)
class ClusterCatalog:
    """The cluster definitions of one file, looked up by code or name."""

    clusters: tuple[Cluster, ...]
    source: Path
    #: Titles that had to be repaired (original -> repaired), for the record.
    repairs: Mapping[str, str]

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self.clusters)

    def __len__(self) -> int:
        return len(self.clusters)

    def get(self, code_or_name: str) -> Cluster:
        """A cluster by its code ('5') or its name, case-insensitive ('Biopharmaceuticals')."""
        wanted = code_or_name.strip()
        for cluster in self.clusters:
            if cluster.code == wanted or cluster.name.casefold() == wanted.casefold():
                return cluster
        close = [c.name for c in self.clusters if wanted.casefold() in c.name.casefold()]
        hint = f"; did you mean {', '.join(repr(n) for n in close[:3])}?" if close else ""
        raise UnknownClusterError(
            f"unknown cluster {code_or_name!r} in {self.source}: give a cluster code "
            f"(1-51 traded, 101-116 local) or name{hint} (`sectorwise lmi clusters list` shows them)"
        )

    def naics_to_cluster(self) -> dict[str, str]:
        """6-digit NAICS 2012 code -> cluster code (each code belongs to exactly one cluster)."""
        return {code: cluster.code for cluster in self.clusters for code in cluster.naics}

    def qcew_naics_to_cluster(self) -> dict[str, str]:
        """:meth:`naics_to_cluster` plus the codes QCEW writes instead of a NAICS code ending in 0.

        QCEW splits some 6-digit industries in its own way (construction: 238111 residential and 238112
        nonresidential poured-concrete contractors for NAICS 238110). A code ``xxxxx1``-``xxxxx9`` that is not
        itself a cluster code belongs to the cluster of ``xxxxx0``.
        """
        mapping = self.naics_to_cluster()
        aliases = {
            f"{code[:5]}{digit}": cluster
            for code, cluster in mapping.items()
            if code.endswith("0")
            for digit in "123456789"
        }
        return {**{k: v for k, v in aliases.items() if k not in mapping}, **mapping}


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _cluster(entry: Any, index: int, path: Path, repairs: dict[str, str]) -> Cluster:
    where = f"{path}: clusters[{index}]"
    if not isinstance(entry, Mapping):
        raise ClusterFileError(f"{where}: expected an object, got {type(entry).__name__}")
    for field in ("cluster_code_t", "name_t", "traded_b", "naics_2012"):
        if field not in entry:
            raise ClusterFileError(f"{where}: missing field {field!r}")
    code = str(entry["cluster_code_t"]).strip()
    if not code.isdigit():
        raise ClusterFileError(f"{where}, field cluster_code_t: {code!r} is not a cluster number")
    traded = entry["traded_b"]
    if not isinstance(traded, bool):
        raise ClusterFileError(f"{where} (cluster {code}), field traded_b: expected true or false")
    raw_naics = entry["naics_2012"]
    if not isinstance(raw_naics, Mapping) or not raw_naics:
        raise ClusterFileError(f"{where} (cluster {code}), field naics_2012: expected a non-empty object")

    def fixed(text: str) -> str:
        repaired = repair_mojibake(text)
        if repaired != text.strip():
            repairs[text] = repaired
        return repaired

    naics: dict[str, str] = {}
    for naics_code, title in raw_naics.items():
        if not (isinstance(naics_code, str) and len(naics_code) == 6 and naics_code.isdigit()):
            raise ClusterFileError(
                f"{where} (cluster {code}), field naics_2012: {naics_code!r} is not a 6-digit NAICS code"
            )
        naics[naics_code] = fixed(str(title))
    subs = entry.get("sub_clusters") or {}
    if not isinstance(subs, Mapping):
        raise ClusterFileError(f"{where} (cluster {code}), field sub_clusters: expected an object")
    related_entries = entry.get("related_clusters") or []
    if not isinstance(related_entries, list):
        raise ClusterFileError(f"{where} (cluster {code}), field related_clusters: expected a list or null")
    related = []
    for position, item in enumerate(related_entries):
        if not isinstance(item, Mapping) or "cluster_code_t" not in item:
            raise ClusterFileError(
                f"{where} (cluster {code}), related_clusters[{position}]: "
                "expected an object with cluster_code_t"
            )
        related.append(
            RelatedCluster(
                code=str(item["cluster_code_t"]).strip(),
                name=fixed(str(item.get("cluster_name_t", ""))),
                related_percentage=_number(item.get("related_percentage")),
                related_avg=_number(item.get("related_avg")),
            )
        )
    return Cluster(
        code=code,
        name=fixed(str(entry["name_t"])),
        traded=traded,
        naics=naics,
        sub_clusters={str(k): fixed(str(v)) for k, v in subs.items()},
        related=tuple(related),
    )


def load_clusters(path: Path | str) -> ClusterCatalog:
    """Read the Cluster Mapping Project metadata JSON; refuse a file that is not one, saying where."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ClusterFileError(f"{path}: cannot read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ClusterFileError(f"{path}: not UTF-8 text (byte {error.start}); expected JSON") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ClusterFileError(
            f"{path}, line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}"
        ) from error
    entries = document.get("clusters") if isinstance(document, Mapping) else document
    if not isinstance(entries, list) or not entries:
        raise ClusterFileError(
            f"{path}: expected a `clusters` array of Cluster Mapping Project cluster objects"
        )
    repairs: dict[str, str] = {}
    clusters = tuple(_cluster(entry, index, path, repairs) for index, entry in enumerate(entries))
    seen: dict[str, str] = {}
    for cluster in clusters:
        if cluster.code in seen:
            raise ClusterFileError(f"{path}: cluster code {cluster.code} appears twice")
        seen[cluster.code] = cluster.name
    owner: dict[str, str] = {}
    for cluster in clusters:
        for naics_code in cluster.naics:
            if naics_code in owner:
                raise ClusterFileError(
                    f"{path}: NAICS {naics_code} is in cluster {owner[naics_code]} and in cluster "
                    f"{cluster.code}; benchmark clusters do not overlap"
                )
            owner[naics_code] = cluster.code
    ordered = tuple(sorted(clusters, key=lambda c: (not c.traded, int(c.code))))
    return ClusterCatalog(clusters=ordered, source=path, repairs=repairs)
