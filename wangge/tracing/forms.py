"""Forms of the tracing pages. A person's checks are the import's (`importing`), so a
person typed by hand is held to what a sheet's row is."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.personal_data import PersonalIdentity
from wangge.keypersons.choices import Category, Measure
from wangge.lib.idnumbers import IdType
from wangge.tracing import importing
from wangge.tracing.choices import FEEDBACK_STATUSES
from wangge.tracing.errors import TracingError

ID_TYPE_CHOICES: list[tuple[Any, Any]] = list(
    PersonalIdentity._meta.get_field("id_type").choices or []  # type: ignore[arg-type]
)


def _future_day(value: dt.date) -> dt.date:
    if value < timezone.localdate():
        raise forms.ValidationError(TracingError("deadline_past").message)
    return value


class ListFields(forms.Form):
    """What a list says of itself: where it goes, its title, reason and deadline."""

    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=120)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    deadline = forms.DateField(
        label=_("Feedback due"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, areas: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas  # type: ignore[attr-defined]

    def clean_deadline(self) -> dt.date:
        return _future_day(self.cleaned_data["deadline"])

    def deadline_at(self) -> dt.datetime:
        return importing.end_of_day(self.cleaned_data["deadline"])


class ImportForm(ListFields):
    file = forms.FileField(
        label=_("List file"),
        help_text=_(
            "Excel (.xlsx) or CSV (UTF-8 or GBK). Title rows above the header, blank rows "
            "and a totals row are fine."
        ),
    )


class PersonForm(forms.Form):
    """One person typed by hand, checked like a row of a sheet."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=ID_TYPE_CHOICES, initial=IdType.RESIDENT_CARD
    )
    id_number = forms.CharField(label=_("ID number"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            name = importing.clean_name(data.get("name"))
            id_type, number = importing.clean_typed_id(
                data.get("id_type") or IdType.RESIDENT_CARD, data.get("id_number") or ""
            )
            phone = importing.clean_phone(data.get("phone") or "")
            if not number and not phone:
                raise TracingError("no_identity", field="id_number")
        except TracingError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return data
        data.update(name=name, id_type=id_type, id_number=number, phone=phone)
        return data

    def person(self) -> importing.PersonInput:
        data = self.cleaned_data
        return importing.PersonInput(
            0,
            data["name"],
            data["id_type"],
            data["id_number"],
            data["phone"],
            " ".join(data.get("address", "").split()),
            " ".join(data.get("reason", "").split()),
        )


class FeedbackForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Feedback"),
        choices=[(s.value, s.label) for s in FEEDBACK_STATUSES],
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    measure = forms.ChoiceField(
        label=_("Measure"), choices=[("", "—"), *Measure.choices], required=False
    )
    left_to = forms.CharField(label=_("Left for (where)"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Assign to"), coerce=int)

    def __init__(self, *args: Any, areas: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas  # type: ignore[attr-defined]
