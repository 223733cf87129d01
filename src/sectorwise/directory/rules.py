"""Who may do what to people and organisations (registered in ``sectorwise.core.rules``' table).

- every role reads organisations and the contact details of people (never the public);
- state staff change organisations; state staff and conveners add them (a convener adds an organisation to
  make it a member of its partnership).
"""

from __future__ import annotations

from enum import StrEnum

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import has_a_role, has_role, register


class DirectoryAction(StrEnum):
    VIEW_CONTACTS = "view_contacts"
    """Contact details: people, emails, phones."""
    CREATE_ORGANIZATION = "create_organization"
    CHANGE_ORGANIZATION = "change_organization"


register(DirectoryAction.VIEW_CONTACTS, has_a_role)
register(DirectoryAction.CREATE_ORGANIZATION, has_role(*STATE_ROLES, Role.CONVENER))
register(DirectoryAction.CHANGE_ORGANIZATION, has_role(*STATE_ROLES))
