"""Serve the npm packages' built files from node_modules, and only those the pages use.

The packages also ship sources, type declarations and thousands of icons; listing all of them would make
`collectstatic` (and whitenoise's start-up scan) copy and hash files nobody requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Literal, overload

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

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    # Django 5.2's deprecated all= keyword is not taken: Django's own callers pass find_all.
    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        if not _wanted(path):
            return []  # what Django's finders answer for "not here", whatever find_all says
        return super().find(path, find_all=True) if find_all else super().find(path)

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, Storage]]:
        for path, storage in super().list(ignore_patterns):
            prefix = getattr(storage, "prefix", None)
            if _wanted(f"{prefix}/{path}" if prefix else path):
                yield path, storage
