"""What an admin does to people: change a role, block, unblock, delete or anonymise.

Each action runs in one transaction that also writes exactly one audit entry. The store must
always keep one active admin: every action that can take an admin away locks the rows of all
active admins first (in primary-key order, through lock_by_pk), so two admins demoting each other
at the same moment cannot both succeed.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bibarys.locks import lock_by_pk

from .audit import audit_record
from .hooks import first_refusal, user_anonymising, user_close_refusal
from .middleware import SIGNED_OUT_BLOCKED, SIGNED_OUT_KEY
from .models import AuditEntry, Role, User, Wallet, WalletEntry

DELETE = "delete"
ANONYMISE = "anonymise"
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "address")


class UserActionRefused(ValidationError):
    """The action would break a rule of the store (self-demotion, the last admin, …)."""


def _lock_admins_and(user: User, actor: User) -> dict[int, User]:
    """Lock every active admin, the target and the actor, in primary-key order; return the
    fresh rows by pk. Must run inside a transaction."""
    admin_pks = list(User.objects.filter(role=Role.ADMIN, is_active=True)
                     .values_list("pk", flat=True))
    return lock_by_pk(User.objects.all(), [*admin_pks, user.pk, actor.pk])


def _check_actor(actor: User, locked: dict[int, User]) -> None:
    fresh = locked.get(actor.pk)
    # Re-checked under the lock: an admin demoted a moment ago can no longer act.
    if fresh is None or not fresh.is_active or fresh.role != Role.ADMIN:
        raise UserActionRefused(_("Only an active admin can do this."), code="not_admin")


def _check_keeps_an_admin(target: User, locked: dict[int, User]) -> None:
    """Refuse if `target` is the last active admin (counted from the locked, fresh rows)."""
    if target.role != Role.ADMIN or not target.is_active:
        return
    active_admins = [u for u in locked.values() if u.role == Role.ADMIN and u.is_active]
    if len(active_admins) <= 1:
        raise UserActionRefused(
            _("%(name)s is the last active admin: the store must keep one.")
            % {"name": target.display_name},
            code="last_admin",
        )


def _refuse_self(actor: User, user: User, message: str) -> None:
    if actor.pk == user.pk:
        raise UserActionRefused(message, code="self")


def user_sessions_end(*, user: User, reason: str = "") -> int:
    """End every stored session of `user`, so each of their browsers is logged out now.

    With a `reason` ("blocked") each session is emptied and keeps only that word instead of
    being deleted, so the browser's next click is told why it was signed out
    (accounts.middleware.SignedOutNoticeMiddleware) rather than landing in an anonymous cart.

    Sessions live in the database (and, cached_db, in the cache) and their data is encoded, so
    the rows are read in chunks and decoded one by one; each is deleted through the session
    store, which drops its cached copy too. Even without this, Django refuses an inactive user on the next
    request (ModelBackend.get_user), so a session we miss is dead anyway."""
    uid = str(user.pk)
    stale = []
    for key, data in (Session.objects.filter(expire_date__gt=timezone.now())
                      .values_list("session_key", "session_data").iterator(chunk_size=2000)):
        decoded = Session.objects.model(session_key=key, session_data=data).get_decoded()
        if str(decoded.get("_auth_user_id")) == uid:
            stale.append(key)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in stale:
        session = store(session_key=key)
        if reason:
            session.clear()
            session[SIGNED_OUT_KEY] = reason
            session.save()
        else:
            session.delete()
    return len(stale)


def _sessions_end_after_commit(user: User, reason: str = "") -> None:
    # Reading every session can take a while: do it after the commit, without the admin locks.
    # Until then (and for any session missed) the inactive flag already refuses the user.
    user_pk = user.pk
    transaction.on_commit(lambda: user_sessions_end(user=User(pk=user_pk), reason=reason))


# Durable: a page of its own; inside another transaction the sessions it ends after the commit
# and the audit entry would wait on (or vanish with) someone else's work.
@transaction.atomic(durable=True)
def user_role_change(*, user: User, role: str, by: User, request=None) -> User:
    """Give `user` another role. An admin cannot demote themselves; the last active admin keeps
    the admin role."""
    if role not in Role.values:
        raise UserActionRefused(_("Unknown role."), code="invalid_role")
    locked = _lock_admins_and(user, by)
    _check_actor(by, locked)
    target = locked[user.pk]
    if target.closed_at:
        raise UserActionRefused(_("This account is closed."), code="closed")
    if target.role == role:
        raise UserActionRefused(_("The user already has this role."), code="same_role")
    if target.role == Role.ADMIN:
        _refuse_self(by, target, _("You cannot take the admin role from yourself."))
        _check_keeps_an_admin(target, locked)
    before = target.role
    target.role = role
    target.save(update_fields=["role"])
    audit_record(actor=by, action="user.role_change", obj=target, request=request,
                 changes={"role": [before, role]})
    return target


# Durable: a page of its own; inside another transaction the sessions it ends after the commit
# and the audit entry would wait on (or vanish with) someone else's work.
@transaction.atomic(durable=True)
def user_block(*, user: User, reason: str, by: User, request=None) -> User:
    """Block `user`: they cannot log in and every open session of theirs ends now."""
    reason = (reason or "").strip()
    if not reason:
        raise UserActionRefused(_("Give a reason for blocking."), code="reason_required")
    locked = _lock_admins_and(user, by)
    _check_actor(by, locked)
    target = locked[user.pk]
    _refuse_self(by, target, _("You cannot block yourself."))
    if target.closed_at:
        raise UserActionRefused(_("This account is closed."), code="closed")
    if not target.is_active:
        raise UserActionRefused(_("The user is already blocked."), code="already_blocked")
    _check_keeps_an_admin(target, locked)
    target.is_active = False
    target.blocked_at = timezone.now()
    target.block_reason = reason[:255]
    target.save(update_fields=["is_active", "blocked_at", "block_reason"])
    _sessions_end_after_commit(target, reason=SIGNED_OUT_BLOCKED)
    audit_record(actor=by, action="user.block", obj=target, request=request,
                 changes={"is_active": [True, False], "block_reason": ["", target.block_reason]})
    return target


# Durable: a page of its own; inside another transaction the sessions it ends after the commit
# and the audit entry would wait on (or vanish with) someone else's work.
@transaction.atomic(durable=True)
def user_unblock(*, user: User, by: User, reason: str = "", request=None) -> User:
    """Let a blocked user log in again."""
    locked = _lock_admins_and(user, by)
    _check_actor(by, locked)
    target = locked[user.pk]
    if target.closed_at:
        raise UserActionRefused(_("This account is closed."), code="closed")
    if target.is_active:
        raise UserActionRefused(_("The user is not blocked."), code="not_blocked")
    before_reason = target.block_reason
    target.is_active = True
    target.blocked_at = None
    target.block_reason = ""
    target.save(update_fields=["is_active", "blocked_at", "block_reason"])
    changes = {"is_active": [False, True], "block_reason": [before_reason, ""]}
    if reason.strip():
        changes["reason"] = reason.strip()[:255]
    audit_record(actor=by, action="user.unblock", obj=target, request=request, changes=changes)
    return target


def _protecting_relations():
    # Hidden relations too (related_name="+": stock documents, movements, status changes).
    return [field for field in User._meta.get_fields(include_hidden=True)
            if field.auto_created and not field.concrete and field.is_relation
            and getattr(field, "on_delete", None) is models.PROTECT
            and field.related_model is not Wallet]


def user_history_exists(user: User) -> bool:
    """True if anything the store must keep points at `user`: orders, products, stock movements
    and documents, wallet entries, audit entries (by them or about them), order status changes …

    Every relation to the user that PROTECTs it counts (new apps are covered without changes
    here); the wallet counts only if it has entries, an empty wallet goes with the user."""
    if AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)).exists():
        return True
    if WalletEntry.objects.filter(models.Q(wallet__user=user) | models.Q(created_by=user)).exists():
        return True
    for relation in _protecting_relations():
        manager = relation.related_model._base_manager
        if manager.filter(**{relation.field.name: user}).exists():
            return True
    return False


def user_delete_outcome(user: User) -> str:
    """What user_delete will do to `user`: DELETE (no history) or ANONYMISE."""
    return ANONYMISE if user_history_exists(user) else DELETE


# Durable: a page of its own; inside another transaction the sessions it ends after the commit
# and the audit entry would wait on (or vanish with) someone else's work.
@transaction.atomic(durable=True)
def user_delete(*, user: User, by: User, request=None) -> str:
    """Delete a user with no history; otherwise erase their personal data and close the account,
    keeping the row their orders, ledger rows and audit entries point at. Returns DELETE or
    ANONYMISE."""
    locked = _lock_admins_and(user, by)
    _check_actor(by, locked)
    target = locked[user.pk]
    _refuse_self(by, target, _("You cannot delete yourself."))
    if target.closed_at:
        raise UserActionRefused(_("This account is already closed."), code="closed")
    _check_keeps_an_admin(target, locked)
    refusal = _open_orders_refusal(target)
    if refusal:
        raise UserActionRefused(refusal, code="open_orders")
    _sessions_end_after_commit(target)
    if user_delete_outcome(target) == DELETE:
        try:
            # A savepoint: if history appeared since the check (an order placed a moment ago),
            # PROTECT refuses the delete and the user is anonymised instead, never a 500.
            with transaction.atomic():
                # The audit entry is written first so it names the row that is about to go.
                audit_record(actor=by, action="user.delete", obj=target, request=request,
                             changes={"username": [target.username, None],
                                      "role": [target.role, None]})
                Wallet.objects.filter(user=target, entries__isnull=True).delete()
                target.delete()
            return DELETE
        except models.ProtectedError:
            target.refresh_from_db()
    before = {"username": target.username, "is_active": target.is_active, "closed_at": None}
    erased = [field for field in PERSONAL_FIELDS if getattr(target, field)]
    for field in PERSONAL_FIELDS:
        setattr(target, field, "")
    target.username = f"deleted-{target.pk}"
    target.set_unusable_password()
    target.is_active = False
    target.closed_at = timezone.now()
    target.save(update_fields=[*PERSONAL_FIELDS, "username", "password", "is_active",
                               "closed_at"])
    # What other apps keep of them (the orders' delivery contact, the saved cart) is erased by
    # those apps, in this transaction (hooks.py).
    user_anonymising.send(sender=None, user=target)
    # The old login is personal data too: this entry and the earlier ones about the account
    # name it by its new one (the account's id still ties them together).
    AuditEntry.objects.filter(object_type="accounts.user", object_id=str(target.pk)).update(
        object_repr=target.username)
    changes = {
        "username": ["", target.username],
        "is_active": [before["is_active"], False],
        "closed_at": [None, target.closed_at.isoformat(timespec="seconds")],
    }
    if erased:
        # Which fields were wiped, never their old values: the log must not keep them.
        changes["erased"] = ", ".join(erased)
    audit_record(actor=by, action="user.anonymise", obj=target, request=request, changes=changes)
    return ANONYMISE


def _open_orders_refusal(user: User) -> str | None:
    """Why the account may not be closed yet, from the apps that know (orders on their way)."""
    return first_refusal(user_close_refusal, user=user)


def user_action_refusal(*, action: str, user: User, by: User) -> str | None:
    """Why `by` may not do `action` ("role", "demote", "block", "unblock", "delete") to `user`
    right now, or None. A read without locks, for the pages to say it in advance; the services
    check again under the lock."""
    if user.closed_at:
        return _("This account is closed.")
    if action in ("block", "delete") and by.pk == user.pk:
        return _("You cannot block yourself.") if action == "block" else _(
            "You cannot delete yourself.")
    if action == "demote" and by.pk == user.pk and user.role == Role.ADMIN:
        return _("You cannot take the admin role from yourself.")
    if action == "block" and not user.is_active:
        return _("The user is already blocked.")
    if action == "unblock" and user.is_active:
        return _("The user is not blocked.")
    if (action in ("demote", "block", "delete") and user.role == Role.ADMIN and user.is_active
            and not User.objects.filter(role=Role.ADMIN, is_active=True)
            .exclude(pk=user.pk).exists()):
        return (_("%(name)s is the last active admin: the store must keep one.")
                % {"name": user.display_name})
    if action == "delete":
        return _open_orders_refusal(user)
    return None
