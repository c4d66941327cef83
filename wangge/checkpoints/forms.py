"""The entry page's form (one vehicle and its people rows) and the checkpoint set-up form.

The entry form checks what a person types (required fields, the temperature's range); the
plate, ID numbers, phones and resident codes are checked by `register_entries`, the same
action as the devices' uploads, whose answer names the field that is wrong."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.areas.picker import AreaPickerField
from wangge.checkpoints.checkpoint_items import MAX_PEOPLE, TEMPERATURE_MAX, TEMPERATURE_MIN
from wangge.checkpoints.choices import Direction, HealthCode, PassengerAction, VehicleKind
from wangge.checkpoints.models import CheckpointKind
from wangge.core.permissions import Perm

TEMPERATURE_ERROR = _("A temperature must lie between 34.0 and 43.0 °C.")


class EntryForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect, initial="in"
    )
    plate = forms.CharField(
        label=_("Plate"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": "甘A12345",
                "class": "plate",
            }
        ),
    )
    vehicle_kind = forms.ChoiceField(
        label=_("Vehicle"), choices=VehicleKind.choices, initial=VehicleKind.CAR
    )
    origin = forms.CharField(label=pgettext_lazy("journey", "From"), max_length=100, required=False)
    destination = forms.CharField(label=_("To"), max_length=100, required=False)


class PersonForm(forms.Form):
    document = forms.CharField(
        label=_("ID number or resident code"),
        max_length=40,
        required=False,
        help_text=_("Scan the ID card or the resident code; the name is filled from the code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "document"}),
    )
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        min_value=TEMPERATURE_MIN,
        max_value=TEMPERATURE_MAX,
        error_messages={"min_value": TEMPERATURE_ERROR, "max_value": TEMPERATURE_ERROR},
        widget=forms.NumberInput(
            attrs={"step": "0.1", "min": "34.0", "max": "43.0", "inputmode": "decimal"}
        ),
    )
    health_code = forms.ChoiceField(
        label=_("Health code"), choices=HealthCode.choices, initial=HealthCode.GREEN
    )
    travel_history = forms.CharField(label=_("Travel history"), max_length=200, required=False)
    action = forms.ChoiceField(
        label=_("Action"), choices=PassengerAction.choices, initial=PassengerAction.PASSED
    )

    def clean_temperature(self) -> Decimal:
        value: Decimal = self.cleaned_data["temperature"]
        return value


PeopleFormSet = forms.formset_factory(
    PersonForm, extra=0, min_num=1, max_num=MAX_PEOPLE, validate_min=True, validate_max=True
)


class CheckpointForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("place", "Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckpointKind.choices)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaPickerField(
            user=user, permission=Perm.MANAGE_CONTROL, label=_("Area")
        )
        self.order_fields(["name", "kind", "area", "active"])

    def clean_area(self) -> Area:
        chosen = list(self.cleaned_data["area"])
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose the one area the checkpoint belongs to."))
        area: Area = chosen[0]
        return area
