"""Serve the npm packages' built files from node_modules, and only those the pages use.

The packages also ship sources, type declarations and thousands of icons; listing all of them would make
`collectstatic` (and whitenoise's start-up scan) copy and hash files nobody requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import FileSystemFinder
from django.core.files.storage import Storage


def _wanted(prefixed_path: str) -> bool:
    includes: dict[str, list[str]] = settings.SECTORWISE_STATIC_INCLUDE
    prefix, _, rest = prefixed_path.partition("/")
    patterns = includes.get(prefix)
    return patterns is None or any(PurePosixPath(rest).match(pattern) for pattern in patterns)


class NodePackageFinder(FileSystemFinder):
    """``STATICFILES_DIRS`` narrowed by ``SECTORWISE_STATIC_INCLUDE`` (prefix -> glob patterns, where ``*``
    stays within one directory)."""

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if not _wanted(path):
            return []  # what Django's finders answer for "not here", whatever find_all says
        return super().find(path, find_all=find_all, **kwargs)

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, Storage]]:
        for path, storage in super().list(ignore_patterns):
            prefix = getattr(storage, "prefix", None)
            if _wanted(f"{prefix}/{path}" if prefix else path):
                yield path, storage
