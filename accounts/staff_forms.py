"""Input of the admin pages for people: filters of the users list and the audit log, and the
confirmation forms of the user actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role, User

class _Form(forms.Form):
    """Labels without Django's trailing colon, like the rest of the store's forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


STATUS_CHOICES = [("", _("Any status")), ("active", _("Active")), ("blocked", _("Blocked")),
                  ("closed", _("Closed"))]


class UserFilterForm(_Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={
                            "type": "search",
                            "placeholder": _("Name, username, e-mail or phone")}))
    role = forms.ChoiceField(label=_("Role"), required=False,
                             choices=[("", _("Any role")), *Role.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)


class AuditFilterForm(_Form):
    who = forms.CharField(label=_("Who"), required=False, max_length=150,
                          widget=forms.TextInput(attrs={"placeholder": _("Username")}))
    action = forms.ChoiceField(label=_("Action"), required=False)
    # The kinds of object in the log, by their names in the reader's language.
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *actions]
        self.fields["object_type"].choices = [("", _("Any object")), *object_types]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class RoleChangeForm(_Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["role"].choices = [(v, l) for v, l in Role.choices if v != user.role]

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == self.user.role:
            raise forms.ValidationError(_("The user already has this role."))
        return role


class BlockForm(_Form):
    reason = forms.CharField(label=_("Reason"), max_length=255,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept with the account and in the audit log."))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason for blocking."))
        return reason


class UnblockForm(_Form):
    reason = forms.CharField(label=_("Note (optional)"), max_length=255, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(_Form):
    """A deliberate second step: the button posts `confirm=yes`."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial="yes")

    def clean_confirm(self):
        if self.cleaned_data["confirm"] != "yes":
            raise forms.ValidationError(_("Confirm the action."))
        return "yes"
