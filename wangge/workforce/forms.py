"""Forms of the workforce pages: a worker, a sign-in account to link, a team, an upload."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.areas.picker import AreaPickerField
from wangge.core.permissions import Perm
from wangge.workforce.actions.teams import TeamData
from wangge.workforce.actions.workers import WorkerData
from wangge.workforce.choices import Committee, SentFrom, TeamKind, WorkerKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.models import Team, Worker


def _one_area(value: Any) -> Area:
    """The one area a picker chose (the picker allows several; a worker or team has one)."""
    areas = list(value or [])
    if len(areas) != 1:
        raise forms.ValidationError(_("Choose one area."))
    area: Area = areas[0]
    return area


class WorkerForm(forms.Form):
    """A worker's details; `worker_data` holds them checked by `WorkerData.clean`."""

    name = forms.CharField(label=_("Name"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkerKind.choices)
    sent_from = forms.ChoiceField(
        label=_("Sent from"),
        choices=[("", "—"), *SentFrom.choices],
        required=False,
        help_text=_("For a stationed cadre: the level of the office that sent them."),
    )
    committee = forms.ChoiceField(
        label=_("Committee"), choices=[("", "—"), *Committee.choices], required=False
    )
    party_member = forms.BooleanField(label=_("Party member"), required=False)
    sent_down = forms.BooleanField(
        label=_("Sent down"),
        required=False,
        help_text=_("Works in a community or village away from their own unit (下沉)."),
    )
    unit = forms.CharField(label=pgettext_lazy("employer", "Unit"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, data: Any = None, *, user: User, worker: Worker | None = None) -> None:
        initial: dict[str, Any] = {}
        if worker is not None:
            initial = {
                name: getattr(worker, name)
                for name in ("name", "kind", "sent_from", "committee", "party_member")
                + ("sent_down", "unit")
            }
            initial["area"] = [worker.area_id]
        super().__init__(data, initial=initial)
        self.fields["area"] = AreaPickerField(
            label=_("Based in"), user=user, permission=Perm.MANAGE_WORKFORCE
        )
        self.order_fields(["name", "kind", "area"])
        if worker is not None:
            self.fields["phone"].help_text = _(
                "Stored: %(masked)s. Left empty, the stored phone stays; write “-” to remove it."
            ) % {"masked": worker.phone_masked or "—"}
        self.worker = worker
        self.worker_data: WorkerData | None = None

    def clean_area(self) -> Area:
        return _one_area(self.cleaned_data.get("area"))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors:
            return data
        phone: str | None = str(data.get("phone") or "").strip()
        if self.worker is not None and not phone:
            phone = None  # kept as stored: the form never holds the full number
        elif phone == "-":
            phone = ""
        try:
            self.worker_data = WorkerData.clean(
                name=data["name"],
                kind=data["kind"],
                area_id=data["area"].pk,
                sent_from=data.get("sent_from", ""),
                committee=data.get("committee", ""),
                party_member=data.get("party_member", False),
                sent_down=data.get("sent_down", False),
                unit=data.get("unit", ""),
                phone=phone,
            )
        except WorkforceError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Sign-in account"),
        max_length=150,
        required=False,
        help_text=_("The username of this person's account; empty to unlink."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)

    def __init__(self, data: Any = None, *, user: User, team: Team | None = None) -> None:
        initial: dict[str, Any] = {}
        if team is not None:
            initial = {"name": team.name, "kind": team.kind, "area": [team.area_id]}
        super().__init__(data, initial=initial)
        self.fields["area"] = AreaPickerField(
            label=_("Serves"), user=user, permission=Perm.MANAGE_WORKFORCE
        )
        self.team_data: TeamData | None = None

    def clean_area(self) -> Area:
        return _one_area(self.cleaned_data.get("area"))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if not self.errors:
            try:
                self.team_data = TeamData.clean(
                    name=data["name"], kind=data["kind"], area=data["area"]
                )
            except WorkforceError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workforce list (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, areas: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = forms.TypedChoiceField(
            label=_("Import into"),
            choices=areas,
            coerce=int,
            help_text=_("Rows without an area go here; the others must lie below it."),
        )
        self.order_fields(["area", "file"])
