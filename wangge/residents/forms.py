"""Forms of the registry pages. Validation of a person is `ResidentData.clean`'s alone."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.core.personal_data import PersonalIdentity
from wangge.lib.idnumbers import IdType
from wangge.residents.actions import ResidentData
from wangge.residents.choices import TAG_LABELS, ResidentStatus, Sex, Tag
from wangge.residents.errors import RegistryError
from wangge.residents.models import Resident

ID_TYPE_CHOICES: list[tuple[Any, Any]] = list(
    PersonalIdentity._meta.get_field("id_type").choices or []  # type: ignore[arg-type]
)


class ImportUploadForm(forms.Form):
    """A register file and the area it is imported into (checked against scope by the view)."""

    area = forms.TypedChoiceField(label=_("Import into"), coerce=int)
    file = forms.FileField(
        label=_("Register file"),
        help_text=_(
            "Excel (.xlsx) or CSV (UTF-8 or GBK). Title rows above the header, blank rows "
            "and a totals row are fine."
        ),
    )

    def __init__(self, *args: Any, areas: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas  # type: ignore[attr-defined]


class ResidentForm(forms.Form):
    """A person's details as a community worker types them."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=ID_TYPE_CHOICES, initial=IdType.RESIDENT_CARD
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        required=False,
        help_text=_("Sex and birth year are read from a resident ID card number."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[
            ("", _("From the ID number")),
            (Sex.MALE, Sex.MALE.label),
            (Sex.FEMALE, Sex.FEMALE.label),
        ],
        required=False,
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only needed without a resident ID card number. Only the year is kept."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    relation = forms.CharField(label=_("Relation to head"), max_length=20, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ResidentStatus.choices, initial=ResidentStatus.PRESENT
    )
    tags = forms.TypedMultipleChoiceField(
        label=_("Tags"),
        choices=[(int(tag), label) for tag, label in TAG_LABELS.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, resident: Resident | None = None, **kwargs: Any) -> None:
        self.resident = resident
        if resident is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": resident.name,
                "id_type": resident.id_type,
                "sex": resident.sex if resident.sex != Sex.UNKNOWN else "",
                "ethnicity": resident.ethnicity,
                "relation": resident.relation,
                "status": resident.status,
                "tags": [int(tag) for tag in Tag if resident.tags & tag],
                "note": resident.note,
            }
        super().__init__(*args, **kwargs)
        if resident is not None:
            # Stored numbers are never put back into a page: blank keeps them.
            self.fields["id_number"].help_text = _(
                "Stored: %(id)s. Leave blank to keep it; type a number to replace it."
            ) % {"id": resident.id_number_masked or "—"}
            self.fields["phone"].help_text = _(
                "Stored: %(phone)s. Leave blank to keep it; type 0 to remove it."
            ) % {"phone": resident.phone_masked or "—"}
            if resident.birth_year is not None and resident.id_type != IdType.RESIDENT_CARD:
                self.fields["birth_date"].help_text = _(
                    "Stored: born in %(year)s. Leave blank to keep it."
                ) % {"year": resident.birth_year}
        self.resident_data: ResidentData | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        id_number = cleaned.get("id_number", "")
        phone = cleaned.get("phone", "")
        resident = self.resident
        if resident is not None:
            # The kept values are read to check them against the rest, never shown.
            if not id_number and cleaned.get("id_type") == resident.id_type:
                id_number = resident.reveal_id_number()
            if not phone:
                phone = resident.reveal_phone()
            elif phone.strip() == "0":
                phone = ""
        try:
            self.resident_data = ResidentData.clean(
                name=cleaned.get("name"),
                id_type=cleaned.get("id_type"),
                id_number=id_number,
                sex=cleaned.get("sex") or "",
                birth_date=cleaned.get("birth_date"),
                kept_birth_year=resident.birth_year if resident is not None else None,
                phone=phone,
                ethnicity=cleaned.get("ethnicity"),
                relation=cleaned.get("relation"),
                status=cleaned.get("status"),
                tags=sum(cleaned.get("tags") or []),
                note=cleaned.get("note"),
            )
        except RegistryError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned


class HouseholdForm(forms.Form):
    """A new household's address inside a grid."""

    building = forms.CharField(label=_("Building"), max_length=40, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=40, required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("For a village house without building and room, the address identifies it."),
    )
