"""Send each user who prefers the daily digest one e-mail with the grants events not yet sent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sectorwise.grants.notifications import digest_send


class Command(BaseCommand):
    help = "Send the grants daily digests (one e-mail per user with unsent notifications)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digest_send()
        self.stdout.write(f"{sent} digest e-mail(s) sent")
