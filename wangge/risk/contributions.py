"""What risk adds to the pages of others: a badge beside each area in the tree, a section
and a button on the area's page, a workbench card, a navigation link. Registered in
RiskConfig.ready(); each costs a fixed number of queries whatever the data."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.extensions import AreaAction, AreaBadge, AreaSection
from wangge.areas.models import Area
from wangge.core.cards import Card, Figure, Severity
from wangge.core.http import AuthedRequest
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.risk import downgrade, selectors
from wangge.risk.choices import RiskLevel
from wangge.risk.models import AreaRiskLevel
from wangge.risk.views import TONES, area_context


def area_badges(request: AuthedRequest, areas: list[Area]) -> list[AreaBadge]:
    """Each area's effective level beside its name (none at normal); a level inherited
    from above is drawn as an outline. One query for the whole list."""
    badges = []
    for area_id, effective in selectors.effective_levels(areas).items():
        if effective.level == RiskLevel.NORMAL or effective.setting is None:
            continue
        setting = effective.setting
        inherited = setting.area_id != area_id
        since = date_format(timezone.localtime(setting.set_at), "SHORT_DATE_FORMAT")
        if inherited:
            title = _("From %(area)s since %(date)s") % {"area": setting.area.name, "date": since}
        else:
            title = _("Since %(date)s") % {"date": since}
        badges.append(
            AreaBadge(
                area_id=area_id,
                label=RiskLevel(effective.level).label,
                tone=TONES[effective.level],
                title=title,
                outline=inherited,
            )
        )
    return badges


def area_section(request: AuthedRequest, area: Area) -> list[AreaSection]:
    """The level of the area on its page: which, from where, since when, and for those who
    may change it a downgrade suggested when its criteria hold."""
    context = area_context(request, area)
    return [AreaSection("risk/_area_section.html", context)]


def area_action(request: AuthedRequest, area: Area) -> list[AreaAction]:
    if not request.user.has_area_permission(Perm.SET_RISK_LEVELS, area):
        return []
    return [AreaAction(reverse("risk:area", args=[area.pk]), _("Set risk level"))]


def links(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User):
        return []
    if user.has_any_area_permission(Perm.SET_RISK_LEVELS) or user.has_any_area_permission(
        Perm.VIEW_CONTROL
    ):
        return [NavItem(reverse("risk:list"), _("Risk levels"), group=NavGroup.CONTROL)]
    return []


def cards(request: HttpRequest) -> list[Card]:
    """Areas by level in my areas and above them (one grouped query); for those who set
    levels, the downgrades suggested in their areas (a fixed number more)."""
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_AREAS):
        return []
    found: list[Card] = []
    set_paths = user.scope_paths(Perm.SET_RISK_LEVELS)
    if set_paths != []:
        mine = AreaRiskLevel.objects.filter(ended_at__isnull=True).select_related("area")
        if set_paths is not None:
            mine = mine.filter(subtree_q(set_paths, "area__path"))
        suggested = downgrade.suggestions(list(mine))
        if suggested:
            found.append(
                Card(
                    key="risk.downgrades",
                    title=_("Downgrades suggested"),
                    url=reverse("risk:list"),
                    figures=(Figure(len(suggested), _("areas quiet long enough")),),
                    severity=Severity.WAITING,
                    order=60,
                    note=_("No new positive for the days and rounds the level's policy asks."),
                    links=tuple(
                        NavItem(
                            reverse("risk:area", args=[s.setting.area_id]),
                            f"{s.setting.area.name} → {s.to_label}",
                        )
                        for s in suggested[:5]
                    ),
                )
            )
    counts = selectors.counts_by_level(user.scope_paths(Perm.VIEW_AREAS))
    if counts:
        found.append(
            Card(
                key="risk.levels",
                title=_("Risk levels in my areas"),
                url=reverse("risk:list"),
                figures=tuple(
                    Figure(counts.get(value, 0), label)
                    for value, label in reversed(RiskLevel.choices)
                    if value != RiskLevel.NORMAL
                ),
                severity=Severity.INFO,
                order=20,
            )
        )
    return found
