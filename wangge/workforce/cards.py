"""The workforce's cards on the workbench: the coverage of the responsibility chain (包联)
in the user's areas, and its gaps (three grouped queries whatever the size of the user's
areas: workforce/selectors.py, `chain_gaps` without listing the gaps); the people at work
("工作力量") by category, one grouped query, linking to the summary in the seeds' own form.
"""

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.core.cards import Card, Figure, Severity
from wangge.core.permissions import Perm
from wangge.core.scoping import topmost
from wangge.workforce.choices import STAFF_KINDS, DutyLevel, WorkerKind
from wangge.workforce.models import Worker
from wangge.workforce.selectors import chain_gaps

# Gaps in the areas above the grids leave whole communities without a leader to call:
# an alarm. Gaps only among grids or households are work waiting.
ALARM_LEVELS = frozenset({DutyLevel.DISTRICT, DutyLevel.STREET, DutyLevel.COMMUNITY})


def chain_cards(request: HttpRequest) -> list[Card]:
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_WORKFORCE):
        return []
    paths = user.scope_paths(Perm.VIEW_WORKFORCE)
    if paths is None:
        # Everywhere: the chain of every district is below the roots of the tree.
        paths = list(Area.objects.filter(depth=1).values_list("path", flat=True))
    coverage = chain_gaps(topmost(paths), timezone.now(), list_gaps=False)
    if not coverage.required:
        return []
    gaps = coverage.missing
    severity = Severity.INFO
    if gaps:
        severe = any(level.missing for level in coverage.levels if level.level in ALARM_LEVELS)
        severity = Severity.ALARM if severe else Severity.WAITING
    figures = [Figure(f"{coverage.percent}%", _("of the chain covered"))]
    if gaps:
        figures.append(Figure(gaps, _("gaps: duties nobody holds")))
    return [
        Card(
            key="workforce.chain",
            title=_("Responsibility chain"),
            url=reverse("workforce:chains") + "#gaps",
            figures=tuple(figures),
            severity=severity,
            order=400 if gaps else 600,
            note=_("Who answers for my areas, today"),
        )
    ]


def workforce_card(request: HttpRequest) -> list[Card]:
    """Staff, stationed cadres and volunteers in the user's areas; none when nobody is
    recorded there."""
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_WORKFORCE):
        return []
    counts = dict(
        Worker.objects.visible_to(user, Perm.VIEW_WORKFORCE)
        .filter(active=True)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    total = sum(counts.values())
    if not total:
        return []
    return [
        Card(
            key="workforce.summary",
            title=_("Workforce"),
            url=reverse("workforce:summary"),
            figures=(
                Figure(sum(n for kind, n in counts.items() if kind in STAFF_KINDS), _("staff")),
                Figure(counts.get(WorkerKind.STATIONED_CADRE, 0), _("stationed cadres")),
                Figure(counts.get(WorkerKind.VOLUNTEER, 0), _("volunteers")),
                Figure(total, _("people at work")),
            ),
            order=800,
        )
    ]
