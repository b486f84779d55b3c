"""Reads of the admin pages for people: the users list, a user's page and the audit log."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from bibarys.sqlite import Alphabetical

from .models import AuditEntry, User

USER_SEARCH_FIELDS = ("username", "first_name", "last_name", "email", "phone")


def users_filtered(*, q: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """Users matching every word of `q` (in any of name, username, e-mail, phone), a role and a
    status; with the wallet joined so the list shows balances without a query per row."""
    users = User.objects.select_related("wallet").order_by(Alphabetical("username"), "pk")
    for word in q.split()[:5]:
        match = Q()
        for field in USER_SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": word})
        users = users.filter(match)
    if role:
        users = users.filter(role=role)
    if status == "active":
        users = users.filter(is_active=True, closed_at__isnull=True)
    elif status == "blocked":
        users = users.filter(is_active=False, closed_at__isnull=True)
    elif status == "closed":
        users = users.filter(closed_at__isnull=False)
    return users


def user_wallet_balance(user: User):
    from .models import Wallet

    return Wallet.objects.filter(user=user).values_list("balance", flat=True).first()


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_object_types(*, also: str | None = None) -> list[str]:
    """The kinds of object ("app_label.model") the log has entries about, plus `also` (a
    link's filter) when it names a model, so that a link to an object with no entries yet
    still filters instead of being refused."""
    from django.apps import apps

    kinds = set(AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct())
    if also:
        try:
            model = apps.get_model(also.strip().lower())
        except (LookupError, ValueError):
            model = None
        if model is not None:
            kinds.add(model._meta.label_lower)
    return sorted(kinds)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_filtered(*, who: str = "", action: str = "", object_type: str = "",
                   object_id: str = "", date_from: datetime.date | None = None,
                   date_to: datetime.date | None = None) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, filtered by actor (username or name), action, object and a
    period of local days (both ends included)."""
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")
    if who:
        entries = entries.filter(Q(actor__username__icontains=who)
                                 | Q(actor__first_name__icontains=who)
                                 | Q(actor__last_name__icontains=who))
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type.strip().lower())
    if object_id:
        entries = entries.filter(object_id=object_id.strip())
    # Compare with timestamps, not __date, so the created_at index serves the period.
    if date_from:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return entries


def audit_by(user: User, limit: int = 20):
    return list(AuditEntry.objects.filter(actor=user).select_related("actor")
                .order_by("-created_at", "-id")[:limit])
