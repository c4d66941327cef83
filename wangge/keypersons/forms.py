"""Forms of the key persons' pages: each field says what is wrong in a sentence; the
actions check again (scope, bounds) whatever the form let through."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.params import BoundedDateField
from wangge.keypersons.actions import NamedPerson, parse_temperature, parse_test_days
from wangge.keypersons.choices import Category, Measure, ScheduledResult, Symptom
from wangge.keypersons.errors import KeyPersonError
from wangge.keypersons.models import MeasurePolicy, ScheduledTest
from wangge.lib import idnumbers, phones
from wangge.lib.idnumbers import IdType

ID_TYPES = [
    (IdType.RESIDENT_CARD, _("Resident ID card")),
    (IdType.HK_MACAU_PERMIT, _("Hong Kong / Macau permit")),
    (IdType.TAIWAN_PERMIT, _("Taiwan permit")),
    (IdType.PASSPORT, _("Passport")),
    (IdType.NONE, _("No document (e.g. newborn)")),
]


class MeasureFields(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    started_on = BoundedDateField(
        label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()


class ResidentPlacementForm(MeasureFields):
    """Place a resident of the registry (found by the search above the form)."""

    resident = forms.IntegerField(widget=forms.HiddenInput)


class NamedPersonForm(MeasureFields):
    """Place someone who is not in the registry: name, document and phone (sealed)."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_type = forms.ChoiceField(label=_("ID type"), choices=ID_TYPES)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    field_order = ["name", "id_type", "id_number", "phone", "address"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        id_type = data.get("id_type")
        if id_type:
            try:
                data["id_number"] = idnumbers.validate(IdType(id_type), data.get("id_number", ""))
            except idnumbers.IdNumberError as exc:
                self.add_error("id_number", str(exc))
        try:
            data["phone"] = phones.validate(data.get("phone", ""))
        except phones.PhoneError as exc:
            self.add_error("phone", str(exc))
        return data

    def person(self) -> NamedPerson:
        data = self.cleaned_data
        return NamedPerson(
            name=data["name"].strip(),
            id_type=data["id_type"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["address"].strip(),
        )


class HealthCheckForm(forms.Form):
    temperature = forms.CharField(
        label=_("Temperature (°C)"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5"}
        ),
        help_text=_("34.0 to 43.0, one decimal."),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_symptoms = forms.CharField(label=_("Other symptoms"), max_length=100, required=False)

    def clean_temperature(self) -> Decimal:
        try:
            return parse_temperature(self.cleaned_data["temperature"])
        except KeyPersonError as exc:
            raise forms.ValidationError(exc.message) from exc


class TestForm(forms.Form):
    day = forms.TypedChoiceField(label=_("Scheduled test"), coerce=int)
    sampled_at = forms.DateTimeField(
        label=_("Sampled at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=ScheduledResult.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(label=_("Where"), max_length=100, required=False)

    def __init__(self, *args: Any, tests: list[ScheduledTest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["day"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101
        field.choices = [
            (t.day, _("Day %(day)s (%(date)s)") % {"day": t.day, "date": t.due_on.isoformat()})
            for t in tests
        ]
        untaken = [t for t in tests if t.result in ("", ScheduledResult.PENDING)]
        if untaken:
            field.initial = untaken[0].day
        self.fields["sampled_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.fields["result"].initial = ScheduledResult.NEGATIVE


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PolicyForm(forms.Form):
    duration_days = forms.IntegerField(label=_("Duration (days)"), min_value=1, max_value=60)
    test_days = forms.CharField(
        label=_("Test days"),
        max_length=100,
        required=False,
        help_text=_("Days of the measure on which a test is due, e.g. 1, 4, 7 (day 1 = start)."),
    )
    daily_checks = forms.BooleanField(label=_("Daily health checks"), required=False)

    @classmethod
    def for_policy(cls, policy: MeasurePolicy, data: Any = None) -> "PolicyForm":
        return cls(
            data,
            initial={
                "duration_days": policy.duration_days,
                "test_days": ", ".join(str(d) for d in policy.test_days),
                "daily_checks": policy.daily_checks,
            },
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "duration_days" in data:
            try:
                data["test_days"] = parse_test_days(
                    data.get("test_days", ""), data["duration_days"]
                )
            except KeyPersonError as exc:
                self.add_error("test_days", exc.message)
        return data
