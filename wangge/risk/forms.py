"""Forms of the risk pages: set a level (or inherit again), change a level's policy."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.risk.actions import REASON_MAX
from wangge.risk.choices import RiskLevel

POOL_CHOICES = [("", _("The round's own")), ("1", "1"), ("5", "5"), ("10", "10"), ("20", "20")]


class _When(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _now() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class SetLevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Risk level"), choices=[("", _("Choose a level.")), *RiskLevel.choices]
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. two positive cases in building 3")}),
    )
    at = _When(label=_("Since"), initial=_now)


class InheritForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)
    at = _When(label=_("Since"), initial=_now)


class PolicyForm(forms.Form):
    pool_size = forms.TypedChoiceField(
        label=_("Pool size of new rounds"),
        choices=POOL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    door_to_door = forms.BooleanField(label=_("Door-to-door sampling"), required=False)
    downgrade_after_days = forms.IntegerField(
        label=_("Suggest a downgrade after days without a new positive"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("Empty: never suggest."),
    )
    downgrade_after_rounds = forms.IntegerField(
        label=_("and negative rounds since"), min_value=0, max_value=30, initial=0
    )
