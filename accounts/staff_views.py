"""Admin pages for people: the users list, a user's page with its actions (each a POST after a
confirmation page), and the read-only audit log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import staff_selectors as selectors
from . import staff_services as services
from .audit import audit_for
from .hooks import merged_context, user_page_context
from .models import Role, User, Wallet
from .permissions import admin_required
from .staff_forms import (AuditFilterForm, BlockForm, ConfirmForm, RoleChangeForm,
                          UnblockForm, UserFilterForm)
from .templatetags.audit_tags import audit_action_label, object_kind_label

USERS_PER_PAGE = 25
AUDIT_PER_PAGE = 30


def _page(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _template(request, name: str, partial: str | None = None) -> str:
    return f"{name}#{partial}" if partial and request.htmx and not request.htmx.boosted else name


@require_safe
@admin_required
def user_list(request):
    """Everyone with an account: search, filter by role and status."""
    form = UserFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    users = selectors.users_filtered(q=filters.get("q", ""), role=filters.get("role", ""),
                                     status=filters.get("status", ""))
    page = _page(request, users, USERS_PER_PAGE)
    return render(request, _template(request, "accounts/staff/user_list.html", "results"),
                  {"form": form, "page_obj": page})


def _target(pk) -> User:
    return get_object_or_404(User, pk=pk)


def _wallet_credit_url(user: User) -> str | None:
    # The wallet credit page belongs to the wallet pages; link to it once it exists.
    try:
        return reverse("accounts:wallet_credit", kwargs={"pk": user.pk})
    except NoReverseMatch:
        return None


@require_safe
@admin_required
def user_detail(request, pk):
    """One person: profile, role, status, wallet, recent orders and the audit log about them."""
    user = _target(pk)
    refusals = {action: services.user_action_refusal(action=action, user=user, by=request.user)
                for action in ("demote", "block", "unblock", "delete")}
    return render(request, "accounts/staff/user_detail.html", {
        "person": user,
        "balance": selectors.user_wallet_balance(user),
        # Their orders come from the orders app (accounts does not import it): hooks.py.
        **merged_context(user_page_context, user=user),
        "entries": list(audit_for(user)[:20]),
        "entries_by": selectors.audit_by(user),
        "wallet_credit_url": _wallet_credit_url(user),
        "refusals": refusals,
    })


def _data(request):
    # An empty POST is still a submitted form: it must show its errors.
    return request.POST if request.method == "POST" else None


def _confirm_page(request, template: str, context: dict, form):
    status = 400 if request.method == "POST" else 200
    # htmx asks for the confirmation card alone, to show it in a dialog on the user's page.
    if request.htmx and request.method == "GET":
        template = f"{template}#confirm"
    return render(request, template, {"form": form, **context}, status=status)


@admin_required
def user_role(request, pk):
    """Change a role: the page is the confirmation step, the POST does it."""
    user = _target(pk)
    form = RoleChangeForm(_data(request), user=user)
    refusal = (services.user_action_refusal(action="demote", user=user, by=request.user)
               if user.role == Role.ADMIN else
               services.user_action_refusal(action="role", user=user, by=request.user))
    if request.method == "POST" and form.is_valid():
        before = user.get_role_display()
        try:
            user = services.user_role_change(user=user, role=form.cleaned_data["role"],
                                             by=request.user, request=request)
        except services.UserActionRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s's role changed: %(before)s → %(after)s.") % {
                "name": user.display_name, "before": before, "after": user.get_role_display()})
            return redirect("accounts:user_detail", pk=user.pk)
    return _confirm_page(request, "accounts/staff/user_role.html",
                         {"person": user, "refusal": refusal}, form)


def _block_or_unblock(request, pk, *, action: str, form_class, service, done: str):
    """The confirmation page of a block or unblock (a reason is required), then the service."""
    user = _target(pk)
    form = form_class(_data(request))
    refusal = services.user_action_refusal(action=action, user=user, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            service(user=user, reason=form.cleaned_data["reason"], by=request.user,
                    request=request)
        except services.UserActionRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, done % {"name": user.display_name})
            return redirect("accounts:user_detail", pk=user.pk)
    return _confirm_page(request, f"accounts/staff/user_{action}.html",
                         {"person": user, "refusal": refusal}, form)


@admin_required
def user_block(request, pk):
    """Block with a reason: the user is logged out everywhere and cannot log in."""
    return _block_or_unblock(request, pk, action="block", form_class=BlockForm,
                             service=services.user_block,
                             done=_("%(name)s is blocked and logged out everywhere."))


@admin_required
def user_unblock(request, pk):
    return _block_or_unblock(request, pk, action="unblock", form_class=UnblockForm,
                             service=services.user_unblock,
                             done=_("%(name)s is unblocked and can log in again."))


@admin_required
def user_delete(request, pk):
    """Delete or anonymise; the page says which one before the admin confirms."""
    user = _target(pk)
    form = ConfirmForm(_data(request))
    refusal = services.user_action_refusal(action="delete", user=user, by=request.user)
    outcome = services.user_delete_outcome(user)
    if request.method == "POST" and form.is_valid():
        name = user.display_name
        try:
            outcome = services.user_delete(user=user, by=request.user, request=request)
        except services.UserActionRefused as error:
            form.add_error(None, error)
        else:
            if outcome == services.DELETE:
                messages.success(request, _("%(name)s was deleted.") % {"name": name})
                return redirect("accounts:user_list")
            messages.success(request, _("%(name)s's personal data was erased and the account "
                                        "closed; their orders and ledger rows are kept.")
                             % {"name": name})
            return redirect("accounts:user_detail", pk=user.pk)
    return _confirm_page(request, "accounts/staff/user_delete.html", {
        "person": user, "refusal": refusal, "outcome": outcome,
        "will_delete": outcome == services.DELETE,
        "balance": Wallet.objects.filter(user=user).values_list("balance", flat=True).first()},
        form)


@require_safe
@admin_required
def audit_log(request):
    """Every sensitive action, newest first. Read only: there is no way to change an entry."""
    actions = [(action, audit_action_label(action)) for action in selectors.audit_actions()]
    object_types = [(kind, object_kind_label(kind))
                     for kind in selectors.audit_object_types(also=request.GET.get("object_type"))]
    form = AuditFilterForm(request.GET or None, actions=actions, object_types=object_types)
    # A bad field shows its error and is left out; the valid ones still filter.
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    entries = selectors.audit_filtered(**{key: value for key, value in filters.items() if value})
    page = _page(request, entries, AUDIT_PER_PAGE)
    return render(request, _template(request, "accounts/staff/audit_log.html", "results"),
                  {"form": form, "page_obj": page})
