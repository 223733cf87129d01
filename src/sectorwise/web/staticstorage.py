"""Production static files storage: whitenoise's compressed manifest storage, tolerant of missing source maps.

Built CSS and JavaScript end with a ``sourceMappingURL`` comment naming a ``.map`` file. Django's manifest
storage rewrites that reference to the map's hashed name and fails ``collectstatic`` outright when the map was
not collected ("The file 'uswds/css/uswds.min.css.map' could not be found"), which happens as soon as
``SECTORWISE_STATIC_INCLUDE`` leaves a package's map out or a package update names a new one. The maps are
collected (settings list them, so browsers' developer tools find them); when one is missing all the same, the
reference is left as it was: a developer tool gets a 404 for the map, no user ever notices, and the deployment
does not break. Any other missing file (a font or image a stylesheet needs) still fails ``collectstatic``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from whitenoise.storage import CompressedManifestStaticFilesStorage

SOURCE_MAP_SUFFIX = ".map"


class SourceMapTolerantStorage(CompressedManifestStaticFilesStorage):
    """``CompressedManifestStaticFilesStorage`` that keeps a reference to a missing ``.map`` file unhashed."""

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        if content is None:
            target = urlsplit(unquote(filename or name)).path.strip()
            if target.endswith(SOURCE_MAP_SUFFIX) and not self.exists(target):
                return name
        hashed: str = super().hashed_name(name, content, filename)
        return hashed
