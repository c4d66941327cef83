"""Forms of the testing pages. Areas and people to choose from come from the user's scope."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.areas.picker import AreaPickerField
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.testing.choices import ExemptionReason, FollowUpOutcome, PoolSize
from wangge.testing.planner import SECONDS_PER_PERSON, WINDOW_BOUNDS, WINDOW_HOURS

# Areas offered in a choice list: enough for a district with its grids, never unbounded.
MAX_AREA_CHOICES = 3000
MAX_PEOPLE_CHOICES = 500
PREVALENCE_PERCENT = 0.1
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _datetime_field(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class AreaChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An area labelled with its place in the tree and its kind."""

    def label_from_instance(self, obj: Area) -> str:
        return f"{'· ' * max(obj.depth - 1, 0)}{obj.name} ({obj.get_kind_display()})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.username})"


def areas_to_choose(user: User, permission: str, within: list[str] | None = None) -> QuerySet[Area]:
    """Areas in the user's scope (optionally within these paths), buildings left out."""
    areas: QuerySet[Area] = Area.objects.visible_to(user, permission).exclude(
        kind=AreaKind.BUILDING
    )
    if within is not None:
        areas = areas.filter(subtree_q(within))
    limited = list(areas.order_by("path").values_list("pk", flat=True)[:MAX_AREA_CHOICES])
    chosen: QuerySet[Area] = Area.objects.filter(pk__in=limited).order_by("path")
    return chosen


def people_to_choose(user: User, permission: str) -> QuerySet[User]:
    """Users holding a role within the user's scope: who may staff a point or a team."""
    paths = user.scope_paths(permission)
    assignments = RoleAssignment.objects.all()
    if paths is not None:
        assignments = assignments.filter(subtree_q(paths, "area__path"))
    ids = list(
        assignments.order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()[:MAX_PEOPLE_CHOICES]
    )
    people: QuerySet[User] = User.objects.filter(pk__in=ids, is_active=True).order_by("username")
    return people


class RoundForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=100)
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))
    pool_size = forms.TypedChoiceField(
        label=_("Pool size"),
        choices=PoolSize.choices,
        coerce=int,
        initial=PoolSize.TEN,
        help_text=_(
            "For areas at the normal level. Areas at a risk level use the level's pool size "
            "(single tubes in lockdown areas …); a round of single tubes stays single."
        ),
    )
    exempt_infants_under_years = forms.IntegerField(
        label=_("Exempt infants under (years)"),
        min_value=0,
        max_value=18,
        initial=0,
        help_text=_(
            "Counted by birth year: 1 exempts those born in the year the round starts, 3 "
            "those born in that year or the two before it. People whose birth year is not "
            "known are expected. 0 means infants are sampled like everyone else."
        ),
    )
    exempt_under_treatment = forms.BooleanField(
        label=_("Exempt people under treatment"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: User, scope_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scope_editable:
            self.fields["scope"] = AreaPickerField(
                label=_("Scope"),
                user=user,
                permission=Perm.MANAGE_ROUNDS,
                help_text=_("One or more areas; each with everything below it."),
            )
            self.order_fields(["name", "scope"])

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A round must end after it starts."))
        return data


class PointForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("thing", "Name"),
        max_length=100,
        required=False,
        help_text=_("Left empty: “Sampling point” and its number."),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    desks = forms.IntegerField(label=_("Desks"), min_value=1, max_value=200, initial=2)
    opens_at = _datetime_field(_("Opens"), required=False)
    closes_at = _datetime_field(_("Closes"), required=False)

    def __init__(self, *args: Any, user: User, scope: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaChoiceField(
            label=_("Area served"), queryset=areas_to_choose(user, Perm.MANAGE_ROUNDS, scope)
        )
        self.fields["staff"] = PeopleChoiceField(
            label=_("Staff"),
            queryset=people_to_choose(user, Perm.MANAGE_ROUNDS),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )
        self.order_fields(["name", "area", "location", "desks", "opens_at", "closes_at", "staff"])


class TeamForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=100)

    def __init__(self, *args: Any, user: User, scope: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaChoiceField(
            label=_("Area served"), queryset=areas_to_choose(user, Perm.MANAGE_ROUNDS, scope)
        )
        self.fields["members"] = PeopleChoiceField(
            label=_("Members"),
            queryset=people_to_choose(user, Perm.MANAGE_ROUNDS),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )


class ExemptionForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=ExemptionReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("reason") == ExemptionReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why when the reason is “other”."))
        return data


class FollowUpForm(forms.Form):
    """How an attempt to reach an untested person went (one tap per outcome on a phone)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    come_at = forms.TimeField(label=_("Will come at"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("outcome") == FollowUpOutcome.WILL_COME and data.get("come_at") is None:
            self.add_error("come_at", _("Say when they will come."))
        return data

    def come_at_moment(self) -> dt.datetime | None:
        """The next time of day given: today if still to come, else tomorrow ("at 8" said
        in the evening means tomorrow morning)."""
        at: dt.time | None = self.cleaned_data.get("come_at")
        if at is None or self.cleaned_data.get("outcome") != FollowUpOutcome.WILL_COME:
            return None
        now = timezone.localtime()
        moment = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        return moment if moment > now else moment + dt.timedelta(days=1)


class ShipmentForm(forms.Form):
    tubes = forms.TypedMultipleChoiceField(coerce=int, choices=[], label=_("Tubes"))
    laboratory = forms.CharField(label=_("Laboratory"), max_length=100, required=False)
    box_code = forms.CharField(
        label=_("Box"),
        max_length=40,
        required=False,
        help_text=_("The code on the transport box; left empty, one is made up."),
    )

    def __init__(self, *args: Any, tube_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedMultipleChoiceField, self.fields["tubes"])
        field.choices = [(pk, str(pk)) for pk in tube_ids]


class LabUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Laboratory file"),
        help_text=_(
            "The laboratory's export as Excel (.xlsx) or CSV (UTF-8 or GBK): a barcode column "
            "(条码, 样本编号, 试管编号 …), the result (阴性/阳性/无效 or negative/positive/"
            "invalid), optional Ct values (ORF1ab, N …) and the time."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class PlannerForm(forms.Form):
    population = forms.IntegerField(
        label=_("People to sample"), min_value=1, max_value=50_000_000, required=False
    )
    desks = forms.IntegerField(label=_("Desks"), min_value=1, max_value=100_000, required=False)
    seconds_per_person = forms.FloatField(
        label=_("Seconds per person"),
        min_value=5,
        max_value=600,
        initial=SECONDS_PER_PERSON,
        required=False,
    )
    window_hours = forms.FloatField(
        label=_("Finish within (hours)"),
        min_value=WINDOW_BOUNDS[0],
        max_value=WINDOW_BOUNDS[1],
        initial=WINDOW_HOURS,
        required=False,
    )
    prevalence_percent = forms.FloatField(
        label=_("Expected prevalence (%)"),
        min_value=0,
        max_value=100,
        initial=PREVALENCE_PERCENT,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        for name, default in (
            ("seconds_per_person", SECONDS_PER_PERSON),
            ("window_hours", WINDOW_HOURS),
            ("prevalence_percent", PREVALENCE_PERCENT),
        ):
            if data.get(name) is None:
                data[name] = default
        return data
