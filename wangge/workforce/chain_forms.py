"""Forms of the responsibility-chain pages. The duties offered are those of the area's
level; the workers offered come from a search in the user's scope, never a full list."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.residents.models import Household
from wangge.workforce.choices import DutyLevel
from wangge.workforce.models import Duty, Worker

# Workers a search offers at once: a name narrows a district's thousands to a handful.
WORKER_MATCHES = 20
SEARCH_MAX = 50


def find_workers(user: User, query: str, area: Area) -> list[Worker]:
    """Active workers the user may see whose name, unit or phone's last digits match,
    those based in this area's subtree first."""
    if not query:
        return []
    workers = Worker.objects.visible_to(user, Perm.VIEW_WORKFORCE).filter(active=True)
    if query.isdigit() and len(query) == 4:
        workers = workers.filter(phone_masked__endswith=query)
    else:
        workers = workers.filter(name__icontains=query) | workers.filter(unit__icontains=query)
    nearby = list(
        workers.filter(subtree_q([area.path], "area__path"))
        .select_related("area")
        .order_by("name", "pk")[:WORKER_MATCHES]
    )
    if len(nearby) == WORKER_MATCHES:
        return nearby
    others = (
        workers.exclude(pk__in=[worker.pk for worker in nearby])
        .exclude(subtree_q([area.path], "area__path"))
        .select_related("area")
        .order_by("name", "pk")[: WORKER_MATCHES - len(nearby)]
    )
    return nearby + list(others)


class DutyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Duty) -> str:
        return obj.label


class HouseholdChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Household) -> str:
        return f"{obj.label} {obj.address}".strip()


def duties_for(area: Area) -> QuerySet[Duty]:
    """The duties an area may be given: its level's, and on a grid its households'."""
    levels = [area.level] + ([DutyLevel.HOUSEHOLD] if area.is_grid else [])
    duties: QuerySet[Duty] = Duty.objects.filter(level__in=levels).order_by(
        "level", "order", "code"
    )
    return duties


class AssignForm(forms.Form):
    """Give a worker a duty on an area (or one household of a grid) from a day."""

    duty = DutyChoiceField(label=_("Duty"), queryset=Duty.objects.none())
    worker = forms.UUIDField(label=_("Worker"), widget=forms.HiddenInput)
    household = HouseholdChoiceField(
        label=_("Household"),
        queryset=Household.objects.none(),
        required=False,
        help_text=_("Only for a household duty."),
    )
    started_on = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        duty_field = cast(forms.ModelChoiceField, self.fields["duty"])  # type: ignore[type-arg]
        duty_field.queryset = duties_for(area)
        if area.is_grid:
            household_field = cast(forms.ModelChoiceField, self.fields["household"])  # type: ignore[type-arg]
            household_field.queryset = Household.objects.filter(grid=area).order_by(
                "sort_key", "pk"
            )
        else:
            del self.fields["household"]

    def started_at(self) -> dt.datetime | None:
        """Now for today or no day; else the start of that day, local time."""
        day = self.cleaned_data.get("started_on")
        if day is None or day == timezone.localdate():
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class HandOverForm(forms.Form):
    worker = forms.UUIDField(label=_("Successor"), widget=forms.HiddenInput)


class DutyForm(forms.Form):
    """A duty's names, whether every area of its level must have it, and its place."""

    name = forms.CharField(label=_("Name (Chinese)"), max_length=50)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80)
    required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=100, initial=0)


class NewDutyForm(DutyForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=DutyLevel.choices, coerce=int, empty_value=None
    )
