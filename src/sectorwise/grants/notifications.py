"""E-mail notifications of grants events: at once, or gathered into one daily digest per user who prefers
it (``NotificationPreference``). Sent through Django's mail (the console backend in development and the
demo; SMTP from the environment otherwise, ``settings.EMAIL_BACKEND``).

"At once" is a background job (:func:`notifications_send`, run by ``sectorwise manage db_worker``), queued
when the transaction that made the notifications commits: a slow or unreachable mail server never holds up
the page that caused them (a submission at the deadline). A notification the job could not send stays unsent
and goes out with the next digest. The digest goes out from ``manage.py grants_send_digest`` (run once a
day, e.g. by cron or the scheduler)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.grants.models import Notification, NotificationPreference


def _digest_users(user_ids: Iterable[int]) -> set[int]:
    return set(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), daily_digest=True).values_list(
            "user_id", flat=True
        )
    )


def notify(*, users: Iterable[Any], subject: str, body: str) -> int:
    """Tell ``users`` (those with an e-mail address); those who prefer the digest get it tomorrow, the
    others once the surrounding transaction commits. Returns how many were told."""
    recipients = {user.pk: user for user in users if user is not None and user.email}
    if not recipients:
        return 0
    digest = _digest_users(recipients)
    now_ids = []
    for user_id in recipients:
        notification = Notification.objects.create(user_id=user_id, subject=subject[:200], body=body)
        if user_id not in digest:
            now_ids.append(notification.pk)

    if now_ids:
        transaction.on_commit(lambda: notifications_send.enqueue(notification_ids=now_ids))
    return len(recipients)


@task()
def notifications_send(notification_ids: list[int]) -> int:
    """E-mails each of these notifications not sent yet; returns how many went out.

    Each is claimed (``sent_at`` set where still empty) before its e-mail goes, so the digest or a second run
    never sends it again; one whose e-mail fails is released for the next digest and the job fails.
    """
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, sent_at__isnull=True)
    for notification in pending.select_related("user"):
        if not Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        ):
            continue  # the digest took it meanwhile
        try:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.user.email],
            )
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(sent_at=None)
            raise
        sent += 1
    return sent


def digest_send() -> int:
    """One e-mail per digest user with everything not yet sent; returns the number of e-mails."""
    pending = (
        Notification.objects.filter(sent_at__isnull=True).select_related("user").order_by("user_id", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.user_id, []).append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].user
        body = "\n\n".join(f"{item.subject}\n{item.body}" for item in items)
        send_mail(
            f"Sectorwise grants: {len(items)} update(s)", body, settings.DEFAULT_FROM_EMAIL, [user.email]
        )
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(sent_at=timezone.now())
        sent += 1
    return sent


def state_staff() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(role__in=list(STATE_ROLES), is_active=True)


def conveners_of(organization_id: int) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        role=Role.CONVENER, organization_id=organization_id, is_active=True
    )
