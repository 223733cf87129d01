"""Settings of the web load benchmark: production settings; whitenoise serves static files from the finders.

Production's manifest storage needs ``collectstatic`` first; the benchmark loads pages, not static files, so
it skips that step (minutes of compression) and serves the npm packages' files directly.
"""

from sectorwise.web.settings import *  # noqa: F403  (the benchmark measures the real settings)
from sectorwise.web.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
