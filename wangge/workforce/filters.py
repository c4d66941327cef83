"""The worker list's filters: one form read from the query string, used by the list page
and its Excel export alike, so that the export is exactly the list on the screen."""

from typing import Any

from django import forms
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import User
from wangge.areas.picker import AreaPickerField
from wangge.core import params
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.workforce.choices import WorkerKind
from wangge.workforce.models import Team, Worker

YES_NO = [("", pgettext_lazy("filter", "Any")), ("yes", _("Yes")), ("no", _("No"))]
SEARCH_MAX = 50


def _readable(query: QueryDict) -> QueryDict:
    """The query with only the area ids that can exist (a link may carry anything: the
    picker's lookup must never see a number the database cannot hold)."""
    data = query.copy()
    ids = []
    for value in query.getlist("area"):
        number = params.read_integer(params.clean_text(str(value)))
        if number is not None and 1 <= number <= params.MAX_ID:
            ids.append(str(number))
    data.setlist("area", ids)
    return data


class WorkerFilterForm(forms.Form):
    """What the list shows: areas (each with its subtree), kind, party member, sent down,
    a name, retired workers or not."""

    q = forms.CharField(label=_("Name"), max_length=SEARCH_MAX, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", pgettext_lazy("filter", "Any")), *WorkerKind.choices],
        required=False,
    )
    party_member = forms.ChoiceField(label=_("Party member"), choices=YES_NO, required=False)
    sent_down = forms.ChoiceField(label=_("Sent down"), choices=YES_NO, required=False)
    retired = forms.BooleanField(label=_("Include retired workers"), required=False)

    def __init__(self, data: QueryDict, *, user: User) -> None:
        super().__init__(_readable(data))
        self.fields["area"] = AreaPickerField(
            label=_("Areas"), user=user, permission=Perm.VIEW_WORKFORCE, required=False
        )
        self.order_fields(["area", "q", "kind", "party_member", "sent_down", "retired"])

    def filter(self, workers: Any) -> Any:
        """`workers` narrowed by the valid filters (an invalid one is ignored, with its
        error shown on the form)."""
        data = self.values()
        areas = data.get("area") or []
        if areas:
            workers = workers.filter(subtree_q([area.path for area in areas], "area__path"))
        if data.get("q"):
            workers = workers.filter(name__contains=data["q"].strip())
        if data.get("kind"):
            workers = workers.filter(kind=data["kind"])
        for name in ("party_member", "sent_down"):
            if data.get(name):
                workers = workers.filter(**{name: data[name] == "yes"})
        if not data.get("retired"):
            workers = workers.filter(active=True)
        return workers

    def values(self) -> dict[str, Any]:
        """The filters that are valid (cleaned_data keeps only those)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return dict(self.cleaned_data)


def visible_teams(user: User) -> Any:
    """Teams as a worker's line shows them: only those the user sees too."""
    return Team.objects.visible_to(user, Perm.VIEW_WORKFORCE).only("id", "name", "area_id")


def worker_list(user: User, form: WorkerFilterForm) -> Any:
    """The workers the user sees (VIEW_WORKFORCE) that the filters keep, in tree order,
    with their area and teams read in the same fixed number of queries for any page."""
    workers = form.filter(Worker.objects.visible_to(user, Perm.VIEW_WORKFORCE))
    return (
        workers.select_related("area")
        .prefetch_related(Prefetch("teams", queryset=visible_teams(user).order_by("name")))
        .order_by("area__path", "name", "id")
    )
