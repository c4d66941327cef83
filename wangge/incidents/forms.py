"""Forms of the incident pages: the report (phone first) and the steps."""

import uuid
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.areas.picker import AreaPickerField
from wangge.core.permissions import Perm
from wangge.incidents.choices import IncidentKind, IncidentSeverity
from wangge.incidents.photos import clean_photo
from wangge.workforce.models import Responsibility, Worker


def default_area(user: User) -> Area | None:
    """The area a report form starts with: the grid the user answers for (their worker
    record's responsibility), else the one area they hold a role on, if only one."""
    at = timezone.now()
    link = (
        Responsibility.objects.active_at(at)
        .filter(worker__user=user, household__isnull=True)
        .select_related("area")
        .order_by("-area__depth", "started_at")
        .first()
    )
    if link is not None and user.has_area_permission(Perm.REPORT_INCIDENTS, link.area):
        grid: Area = link.area
        return grid
    paths = user.scope_paths(Perm.REPORT_INCIDENTS) or []
    if len(paths) == 1:
        only: Area | None = Area.objects.filter(path=paths[0]).first()
        return only
    return None


class ReportForm(forms.Form):
    """Report an incident from a phone: what, how serious, where, and a photo."""

    id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=IncidentSeverity.choices,
        initial=IncidentSeverity.MEDIUM,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Building, gate, sampling point…"),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaPickerField(
            user=user, permission=Perm.REPORT_INCIDENTS, label=_("Area")
        )
        self.order_fields(["id", "kind", "severity", "area", "place", "description", "photo"])
        if not self.is_bound:
            self.initial.setdefault("id", uuid.uuid4())
            area = default_area(user)
            if area is not None:
                self.initial.setdefault("area", [area.pk])

    def clean_area(self) -> Area:
        chosen = list(self.cleaned_data["area"])
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose the one area where it happened."))
        area: Area = chosen[0]
        return area

    def clean_photo(self) -> ContentFile[bytes] | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return clean_photo(upload)


class StepForm(forms.Form):
    """The next step of an incident, with an optional note (required to report up)."""

    STEPS = ("acknowledge", "arrive", "report_up", "close", "note")

    step = forms.ChoiceField(choices=[(step, step) for step in STEPS])
    note = forms.CharField(max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("step") in ("report_up", "note") and not data.get("note", "").strip():
            raise forms.ValidationError(_("Write what you found (a note is required)."))
        return data


class WorkerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.area.name}"


class ReassignForm(forms.Form):
    worker = WorkerChoiceField(queryset=Worker.objects.none(), label=_("Hand over to"))
    note = forms.CharField(max_length=500, required=False, label=_("Note"))

    def __init__(self, *args: Any, choices: list[Worker], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = Worker.objects.filter(pk__in=[worker.pk for worker in choices])
