from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sectorwise.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # Django records each sign-in by saving the user, which would add a user history record per
        # sign-in (django-simple-history records every save): the sign-in time is saved without one.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_record_sign_in_time, dispatch_uid="update_last_login")


def _record_sign_in_time(sender: Any, user: Any, **kwargs: Any) -> None:
    from django.utils import timezone

    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving
