"""Production settings for the collectstatic test, minus whitenoise's gzip/brotli pass.

Everything that can break ``collectstatic`` is kept: the finders and their include lists, the manifest
storage hashing every file and rewriting the references in CSS and JavaScript (where a missing source map
used to fail). Only the compression of the hashed files is skipped: it is whitenoise's own, cannot miss a
file, and takes about a minute of CPU on the 40 MB the packages ship.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from sectorwise.web.settings import *  # noqa: F403  (the production settings under test)
from sectorwise.web.settings import STORAGES
from sectorwise.web.staticstorage import SourceMapTolerantStorage


class ManifestWithoutCompression(SourceMapTolerantStorage):
    def compress_files(self, paths: Iterable[str]) -> Iterator[Any]:
        return iter(())


STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "tests.web.production_collect_settings.ManifestWithoutCompression"},
}
