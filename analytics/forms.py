"""Input of the analytics pages: which period to show. Query parameters are `period`, `from` and
`to` (YYYY-MM-DD), so every dashboard and report URL can be bookmarked."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .periods import DEFAULT_PRESET, FIRST_DATE, LAST_DATE, PRESETS, Period, preset_period

CUSTOM = "custom"


class PeriodForm(forms.Form):
    """A preset (today, 7 days, 30 days, this month) or a custom range from–to.

    Bound to request.GET. A custom range needs both dates, from not after to. `from` is a Python
    keyword, so the two date fields are added by name in __init__."""

    period = forms.ChoiceField(label=_("Period"), required=False,
                               choices=[*PRESETS, (CUSTOM, _("Custom range"))])
    group = forms.ChoiceField(label=_("Group by"), required=False, choices=[
        ("", _("Automatic")), ("day", _("Day")), ("week", _("Week")), ("month", _("Month"))])

    def __init__(self, *args, require_dates: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_dates = require_dates
        self.fields["from"] = forms.DateField(label=_("From"), required=False,
                                              input_formats=["%Y-%m-%d"])
        self.fields["to"] = forms.DateField(label=_("To"), required=False,
                                            input_formats=["%Y-%m-%d"])

    def clean(self):
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if self.errors:
            return data
        for name, value in (("from", first), ("to", last)):
            if value is not None and not FIRST_DATE <= value <= LAST_DATE:
                self.add_error(name, _("Choose a date between %(first)s and %(last)s.") % {
                    "first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()})
        if self.errors:
            return data
        preset = data.get("period") or ""
        if preset and preset != CUSTOM:
            # A preset wins: the dates shown in the form are only what it resolved to last time.
            data["from"] = data["to"] = None
            return data
        if first or last or preset == CUSTOM or self.require_dates:
            if first is None:
                self.add_error("from", _("Enter the first day of the period."))
            if last is None:
                self.add_error("to", _("Enter the last day of the period."))
            if first and last and first > last:
                self.add_error("to", _("The last day cannot be before the first day."))
            data["period"] = CUSTOM
        return data

    def get_period(self) -> Period:
        """The chosen period (call after is_valid())."""
        data = self.cleaned_data
        if data.get("period") == CUSTOM:
            return Period(data["from"], data["to"])
        return preset_period(data.get("period") or DEFAULT_PRESET)

    def get_group(self) -> str:
        return self.cleaned_data.get("group") or ""

    @property
    def fell_back(self) -> bool:
        """The query was wrong: the page shows the default period, and says so."""
        return self.is_bound and not self.is_valid()

    def picker(self, period: Period) -> dict:
        """What the period picker shows. After an error it keeps what was typed, so the message
        next to a date explains the value in that field (showing the default dates there would
        make "the last day is before the first" look wrong, and hide the mistake)."""
        if not self.fell_back:
            preset = (self.cleaned_data.get("period") if self.is_bound else "") or DEFAULT_PRESET
            return {"preset": preset, "from": period.first.isoformat(),
                    "to": period.last.isoformat()}
        typed = {name: (self.data.get(name) or "")[:10] for name in ("from", "to")}
        preset = self.data.get("period") or ""
        if preset not in dict(self.fields["period"].choices) or typed["from"] or typed["to"]:
            preset = CUSTOM
        return {"preset": preset, **typed}


def period_from_query(query, *, default: Period | None = None):
    """(period, group, form) from a query dict; an invalid form gives the default period
    (form.fell_back tells the page to say so)."""
    form = PeriodForm(query or None)
    if form.is_bound and form.is_valid():
        return form.get_period(), form.get_group(), form
    return default or preset_period(DEFAULT_PRESET), "", form
