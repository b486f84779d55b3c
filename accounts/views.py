from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from bibarys.ratelimits import (limit, password_door, posted_username, reset_link_guess,
                                reset_link_user, signed_in_user)

from . import services
from .forms import LoginForm, ProfileForm, SignupForm
from .models import WalletEntry
from .permissions import owned_or_404


class LoginView(auth_views.LoginView):
    """Django's login at /accounts/login/ (fields `username`, `password`)."""

    form_class = LoginForm
    redirect_authenticated_user = True


# Limited per client address and per account, in the counts every door shares.
login_view = password_door(account=posted_username)(LoginView.as_view())


@limit("SIGNUP")
@require_http_methods(["GET", "POST"])
def signup(request):
    """Create a shopper account and sign it in."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_signup(
            username=data["username"], password=data["password1"], email=data["email"],
            first_name=data["first_name"], last_name=data["last_name"], phone=data["phone"],
        )
        login(request, user, backend="accounts.backends.UserBackend")
        messages.success(request, _("Welcome to the shop! Your account is ready."))
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The personal account page: profile, wallet balance and its latest entries."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    wallet = services.wallet_for(request.user)
    entries = wallet.entries.select_related("created_by")[:10]
    return render(
        request, "accounts/profile.html", {"form": form, "wallet": wallet, "entries": entries}
    )


@login_required
def wallet_entry(request, pk):
    """One wallet operation, as a receipt. Only its owner sees it."""
    entry = owned_or_404(
        WalletEntry.objects.select_related("wallet", "created_by"), request.user,
        owner_field="wallet__user", pk=pk,
    )
    return render(request, "accounts/wallet_entry.html", {"entry": entry})


# The old password is a guess like a login's: the same shared limits.
password_change = password_door(account=signed_in_user)(auth_views.PasswordChangeView.as_view(
    success_url=reverse_lazy("accounts:password_change_done")
))
password_change_done = auth_views.PasswordChangeDoneView.as_view()
class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the store's name in the letter (not the host it was asked on) and a limit
    per client address, so the form cannot be used to flood someone's mailbox."""

    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"

    @property
    def extra_email_context(self):
        return {"site_name": settings.STORE_NAME}


password_reset = limit("PASSWORD_RESET")(PasswordResetView.as_view())
password_reset_done = auth_views.PasswordResetDoneView.as_view()
# The token in a reset link is a secret: each link tried counts like a login attempt.
password_reset_confirm = password_door(account=reset_link_user, attempt=reset_link_guess)(
    auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("accounts:password_reset_complete")))
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
