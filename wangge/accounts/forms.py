"""Forms of the accounts pages. Area and user choices come from the actor's scope only."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from wangge.accounts.actions import MAX_DEVICE_HOURS
from wangge.accounts.models import User
from wangge.accounts.selectors import AuditFilter, areas_for_choice
from wangge.areas.models import Area
from wangge.core.params import BoundedDateField
from wangge.core.permissions import Perm, Role


class AreaChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An area, labelled with its kind so that same-named areas can be told apart."""

    def label_from_instance(self, obj: Area) -> str:
        indent = "· " * max(obj.depth - 1, 0)
        return f"{indent}{obj.name} ({obj.get_kind_display()})"


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaChoiceField(
            label=_("Area"), queryset=areas_for_choice(actor, Perm.MANAGE_USERS)
        )


class UserCreateForm(RoleGrantForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["username", "display_name", "password1", "password2", "role", "area"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class DeviceIssueForm(forms.Form):
    label = forms.CharField(
        label=_("Device"),
        max_length=60,
        help_text=_("What the device is, e.g. “No. 1 sampling point, desk 2”."),
    )
    hours = forms.IntegerField(
        label=_("Valid for (hours)"), min_value=1, max_value=MAX_DEVICE_HOURS, initial=72
    )

    def __init__(self, *args: Any, actor: User, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"] = forms.TypedChoiceField(
            label=_("Used by"),
            coerce=int,
            choices=[(user.pk, f"{user} ({user.username})") for user in users],
            initial=actor.pk,
        )
        self.fields["area"] = AreaChoiceField(
            label=_("Area"), queryset=areas_for_choice(actor, Perm.ISSUE_DEVICES)
        )
        self.order_fields(["user", "area", "label", "hours"])


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        max_length=40,
        required=False,
        help_text=_("An action or its beginning, e.g. “resident.” or “role.grant”."),
    )
    username = forms.CharField(label=_("Who"), max_length=150, required=False)
    since = BoundedDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = BoundedDateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaChoiceField(
            label=_("Area"),
            queryset=areas_for_choice(actor, Perm.VIEW_AUDIT),
            required=False,
        )

    def wanted(self) -> AuditFilter:
        """The filter asked for (an invalid form filters on nothing it could not read)."""
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilter(
            action=data.get("action") or "",
            username=data.get("username") or "",
            since=data.get("since"),
            until=data.get("until"),
            area=data.get("area"),
        )
