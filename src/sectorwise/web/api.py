"""The API (django-ninja): OpenAPI document at /api/openapi.json, interactive docs at /api/docs.

Authentication: the browser session (with CSRF) or ``Authorization: Bearer <token>`` (``accounts.ApiToken``).
Permissions are the same as the pages': ``sectorwise.core.permissions.user_can``.
"""

from __future__ import annotations

from ninja import NinjaAPI

from sectorwise.accounts.api_auth import API_AUTH
from sectorwise.core import api as core_api
from sectorwise.core.throttling import AnonymousRateThrottle, UserRateThrottle
from sectorwise.grants import api as grants_api
from sectorwise.outcomes import api as outcomes_api
from sectorwise.partnerships import api as partnerships_api
from sectorwise.partnerships.api import router as partnerships_router

api = NinjaAPI(
    title="Sectorwise API",
    version="1",
    description="The sector partnership registry. Same permission rules as the web pages.",
    urls_namespace="api",
    auth=API_AUTH,
    # SECTORWISE_API_RATE_ANON / SECTORWISE_API_RATE_USER; 429 with Retry-After beyond them.
    throttle=[AnonymousRateThrottle(), UserRateThrottle()],
)
api.add_router("", partnerships_router)
api.add_router("", outcomes_api.router)
api.add_router("", grants_api.router)
# One 422 shape for every refused write (services' and ninja's own validation), under the API's field names.
# Each app adds its router here and its SERVICE_FIELD_NAMES to the aliases.
core_api.install(
    api, field_aliases={**partnerships_api.SERVICE_FIELD_NAMES, **grants_api.SERVICE_FIELD_NAMES}
)
