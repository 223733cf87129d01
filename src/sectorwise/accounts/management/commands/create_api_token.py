"""`sectorwise manage create_api_token USERNAME --name WHAT [--days N]`: print a new API token once.

``--days`` defaults to ``SECTORWISE_API_TOKEN_DAYS`` (90); ``--days 0`` makes a token that never expires.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sectorwise.accounts.models import User
from sectorwise.accounts.services import NEVER, api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown once; only a hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The user the token acts as (with that user's role).")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'nightly export'.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Expire after this many days (default SECTORWISE_API_TOKEN_DAYS, 90); 0 = never expires.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        days = options["days"] if options["days"] is not None else settings.SECTORWISE_API_TOKEN_DAYS
        if days < 0:
            raise CommandError("--days must be 0 (never expires) or a positive number of days")
        expires = timezone.now() + dt.timedelta(days=days) if days else NEVER
        _, key = api_token_create(user=user, name=options["name"], expires_at=expires)
        self.stdout.write(key)
