"""The capacity section of a partnership's page (``CapacityConfig.partnership_panels``): its TA requests
and engagements, and a link to request TA for those who may."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sectorwise.capacity.models import TaEngagement, TaRequest
from sectorwise.capacity.rules import CapacityAction
from sectorwise.capacity.selectors import suggested_ta_topics
from sectorwise.core.navigation import PartnershipPanel
from sectorwise.core.roles import Role
from sectorwise.core.rules import user_can, user_role


def ta_panel(request: Any, partnership: Any) -> PartnershipPanel | None:
    user = request.user
    can_request = user_can(user=user, action=CapacityAction.REQUEST_TA, obj=partnership)
    # Staff and the partnership's convener (who may request), and the read-only roles; not other conveners.
    if not (can_request or user_role(user) in (Role.VIEWER, Role.REVIEWER)):
        return None
    engagements = list(
        TaEngagement.objects.filter(partnerships=partnership)
        .select_related("provider_user", "provider_organization")
        .order_by("-starts_on", "-pk")[:10]
    )
    requests = list(TaRequest.objects.filter(partnership=partnership).order_by("-created_at", "-pk")[:10])
    return PartnershipPanel(
        title="Technical assistance",
        template="capacity/_ta_panel.html",
        context={
            "engagements": engagements,
            "requests": requests,
            "can_request": can_request,
            "suggested": suggested_ta_topics(partnership=partnership),
            "hours": sum((engagement.hours for engagement in engagements), start=Decimal("0")),
        },
    )
