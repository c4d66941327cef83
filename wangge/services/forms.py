"""The forms of the door-to-door service: a new request, an assignment, supplies handed out."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.services.actions import (
    DETAIL_LENGTH,
    MAX_QUANTITY,
    REASON_LENGTH,
    UNIT_LENGTH,
    HandoutLine,
    NewRequest,
)
from wangge.services.choices import Channel, MedicalCare, ServiceKind, SupplyItem, Urgency

# Lines of supplies on one form (a delivery rarely has more).
HANDOUT_LINES = 3


class RequestForm(forms.Form):
    """What grid staff take down: kind, urgency, how it came in, what exactly."""

    request_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("What is needed"), choices=ServiceKind.choices)
    care = forms.ChoiceField(
        label=_("Medical care"),
        choices=[("", "—"), *MedicalCare.choices],
        required=False,
        help_text=_("For medical care only."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    detail = forms.CharField(
        label=_("Details"),
        max_length=DETAIL_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    key_person = forms.TypedChoiceField(
        label=_("For the key person"), coerce=int, required=False, empty_value=None
    )
    override_reason = forms.CharField(
        label=_("Reason for an exception"),
        max_length=REASON_LENGTH,
        required=False,
        help_text=_("Only when the household is not eligible; community staff and above."),
    )

    def __init__(self, *args: Any, key_persons: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = list(key_persons)
        field = self.fields["key_person"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101
        field.choices = [("", "—"), *[(person.pk, person.name) for person in people]]
        if not people:
            del self.fields["key_person"]

    def new_request(self) -> NewRequest:
        data = self.cleaned_data
        return NewRequest(
            kind=data["kind"],
            urgency=data["urgency"],
            channel=data["channel"],
            detail=data["detail"],
            care=data["care"] if data["kind"] == ServiceKind.MEDICAL_CARE else "",
            key_person_id=data.get("key_person"),
            override_reason=data["override_reason"],
            request_id=data["request_id"],
        )


class HandoutForm(forms.Form):
    """Up to HANDOUT_LINES lines of supplies: item, quantity, unit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(HANDOUT_LINES):
            self.fields[f"item_{index}"] = forms.ChoiceField(
                label=_("Item"), choices=[("", "—"), *SupplyItem.choices], required=False
            )
            self.fields[f"quantity_{index}"] = forms.DecimalField(
                label=_("Quantity"),
                min_value=Decimal("0.01"),
                max_value=MAX_QUANTITY,
                max_digits=8,
                decimal_places=2,
                required=False,
            )
            self.fields[f"unit_{index}"] = forms.CharField(
                label=_("Unit"), max_length=UNIT_LENGTH, required=False
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"item_{i}"], self[f"quantity_{i}"], self[f"unit_{i}"])
            for i in range(HANDOUT_LINES)
        ]

    def lines(self) -> list[HandoutLine]:
        data = self.cleaned_data
        return [
            HandoutLine(data[f"item_{i}"], data[f"quantity_{i}"], data[f"unit_{i}"])
            for i in range(HANDOUT_LINES)
        ]
