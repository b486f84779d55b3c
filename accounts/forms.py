import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User

PHONE_RE = re.compile(r"^(?:\+7|8)7\d{9}$")


def normalize_kz_phone(value: str) -> str:
    """Accept the ways people write a Kazakh mobile number; store it as +77XXXXXXXXX."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if not digits:
        return ""
    if not PHONE_RE.match(digits):
        raise ValidationError(
            _("Enter a Kazakh mobile number, for example +7 701 234 56 78."), code="phone"
        )
    return "+7" + digits[-10:]


class SignupForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            help_text=_("For example +7 701 234 56 78"))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        username = User.normalize_username(self.cleaned_data["username"]).strip()
        field = User._meta.get_field("username")
        for validator in field.validators:
            validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."), code="username_taken")
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data.get("email", ""))
        if email and User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this e-mail already exists."), code="email")
        return email

    def clean_phone(self):
        return normalize_kz_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""),
                         first_name=cleaned.get("first_name", ""),
                         last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's login form, plus a plain answer for a blocked account."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Capital and small letters count."),
        "blocked": _("This account is blocked. Please contact the store."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")  # as on the sign-up form

    def get_invalid_login_error(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        user = User.objects.filter(username=username, is_active=False).first()
        if user is not None and user.check_password(password):
            return ValidationError(self.error_messages["blocked"], code="blocked")
        return super().get_invalid_login_error()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "address"]
        labels = {"email": _("E-mail")}

    def clean_phone(self):
        return normalize_kz_phone(self.cleaned_data.get("phone", ""))

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data.get("email", ""))
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("An account with this e-mail already exists."), code="email")
        return email
