"""The workforce of an area in the seeds' own words, computed from the records.

"9个街道、65个社区的1848名工作人员，429名市级、790名区级驻守干部、428名“社工委”委员、
196名退役军人和657名志愿者奋战在638个小区" — "9 streets, 65 communities, 1,848 staff; 429
city-level and 790 district-level stationed cadres, 428 committee members, 196 veterans and 657
volunteers in 638 compounds".

What is counted (docs/architecture.md, "The workforce summary"):

- the active workers based in the area's subtree (`Worker.area`), by category: staff
  (`STAFF_KINDS`), stationed cadres by the level that sent them, committee members by
  committee, then medical staff, police, property staff, owners' committee members, veterans
  and volunteers; a clause only when its figure is not zero;
- two parts, each a sentence of the same form: the urban part (streets and what lies under
  them) and the rural part (towns and townships and what lies under them). A worker counts
  in the part where they are based; one based above the streets and towns (a district
  leader) counts in the part of the first area they answer for today, and one who answers
  for nothing below forms a sentence of their own;
- the areas named (streets, towns and townships, communities, villages; compounds, village
  groups) are those below the area where someone is based or answers for something today
  (in them or below them): a district with workers recorded for one street only says "1
  street", not the whole tree;
- a third sentence: the teams by kind (women's volunteer and youth vanguard teams together,
  as the seed counts them) and the people sent down (下沉, `Worker.sent_down`).

One grouped query per family of figures (areas, workers, responsibilities, teams, and for
a district or a city the workers based above the streets), whatever the number of people.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.models import Area
from wangge.workforce.choices import STAFF_KINDS, Committee, SentFrom, TeamKind, WorkerKind
from wangge.workforce.models import Responsibility, Team, Worker

URBAN = "urban"
RURAL = "rural"
ABOVE = "above"  # based above the streets and towns, answering for nothing below them

# The level of the tree's streets and towns, and of communities and villages.
SUBDIVISION_LEVEL = 2
GRID_LEVEL = 4
_RURAL_KINDS = frozenset({AreaKind.TOWN, AreaKind.TOWNSHIP})
# Kinds counted in their own clauses after the cadres and committee members, in the order
# the sentence names them (the seed ends with veterans and volunteers).
OTHER_KINDS = (
    WorkerKind.MEDICAL,
    WorkerKind.POLICE,
    WorkerKind.PROPERTY_STAFF,
    WorkerKind.OWNERS_COMMITTEE,
    WorkerKind.VETERAN,
    WorkerKind.VOLUNTEER,
)
CADRE_LEVELS = (SentFrom.CITY, SentFrom.DISTRICT, SentFrom.STREET, "")
COMMITTEES = (Committee.SOCIAL_WORK, Committee.PUBLIC_HEALTH, Committee.PATRIOTIC_HEALTH, "")


@dataclass
class Tally:
    """How many people of each category."""

    staff: int = 0
    cadres: Counter[str] = field(default_factory=Counter)  # by SentFrom ("" unknown)
    committees: Counter[str] = field(default_factory=Counter)  # by Committee ("" unknown)
    others: Counter[str] = field(default_factory=Counter)  # by WorkerKind (OTHER_KINDS)
    sent_down: int = 0

    def add(self, kind: str, sent_from: str, committee: str, sent_down: bool, n: int) -> None:
        if kind in STAFF_KINDS:
            self.staff += n
        elif kind == WorkerKind.STATIONED_CADRE:
            self.cadres[sent_from or ""] += n
        elif kind == WorkerKind.COMMITTEE_MEMBER:
            self.committees[committee or ""] += n
        else:
            self.others[kind] += n
        if sent_down:
            self.sent_down += n

    @property
    def stationed_cadres(self) -> int:
        return sum(self.cadres.values())

    @property
    def committee_members(self) -> int:
        return sum(self.committees.values())

    @property
    def veterans(self) -> int:
        return self.others[WorkerKind.VETERAN]

    @property
    def volunteers(self) -> int:
        return self.others[WorkerKind.VOLUNTEER]

    @property
    def total(self) -> int:
        return (
            self.staff + self.stationed_cadres + self.committee_members + sum(self.others.values())
        )


@dataclass
class Part:
    """The urban or the rural part of an area (or the people based above both)."""

    key: str
    places: Counter[str] = field(default_factory=Counter)  # kinds of levels 2 and 3
    grids: Counter[str] = field(default_factory=Counter)
    tally: Tally = field(default_factory=Tally)

    @property
    def label(self) -> str:
        if self.key == URBAN:
            return gettext("Streets")
        if self.key == RURAL:
            return gettext("Towns and townships")
        return gettext("Based above the streets and towns")

    def sentence(self) -> str:
        return part_sentence(self)


@dataclass
class ChildRow:
    """A child area of the summary's area with its own figures."""

    area: Area
    tally: Tally


@dataclass
class WorkforceSummary:
    area: Area
    parts: list[Part]
    teams: Counter[str]
    tally: Tally  # the whole area's figures
    children: list[ChildRow]

    @property
    def teams_sentence(self) -> str:
        return teams_sentence(self.teams, self.tally.sent_down)

    def sentences(self) -> list[str]:
        """The parts' sentences, then the teams' one; none for an area without anyone."""
        said = [part.sentence() for part in self.parts]
        return [sentence for sentence in [*said, self.teams_sentence] if sentence]


def _part_of(path: str, prefix_length: int, kinds: dict[str, str]) -> str:
    if len(path) < prefix_length:
        return ABOVE
    return RURAL if kinds.get(path[:prefix_length]) in _RURAL_KINDS else URBAN


def workforce_summary(area: Area, at: dt.datetime | None = None) -> WorkforceSummary:
    """The figures of `area`'s workforce at `at` (default now): five queries at most."""
    at = at or timezone.now()
    steplen = Area.steplen
    # Every child sits one level below its parent: depth and level differ by a constant.
    offset = area.depth - area.level
    subdivision_depth = offset + SUBDIVISION_LEVEL
    prefix_length = subdivision_depth * steplen
    grid_depth = offset + GRID_LEVEL
    in_subtree = Q(area__path__startswith=area.path)

    # 1. The areas down to the grids, and the street or town above the area if any.
    kinds: dict[str, str] = {}
    depths: dict[str, int] = {}
    children: list[Area] = []
    for node in Area.objects.filter(
        Q(path__startswith=area.path, depth__lte=grid_depth) | Q(path=area.path[:prefix_length])
    ).only("pk", "path", "kind", "depth", "name"):
        kinds[node.path] = node.kind
        depths[node.path] = node.depth
        if node.depth == area.depth + 1:
            children.append(node)

    # 2. The workers based in the subtree (those above the streets apart), grouped.
    workers = Worker.objects.filter(in_subtree, active=True)
    below = workers.filter(area__depth__gte=subdivision_depth)
    rows = list(
        below.order_by()
        .values_list("area__path", "kind", "sent_from", "committee", "sent_down")
        .annotate(n=Count("pk"))
    )
    # 3. Where someone answers for something today.
    answered = set(
        Responsibility.objects.active_at(at)
        .filter(in_subtree)
        .order_by()
        .values_list("area__path", flat=True)
        .distinct()
    )
    # 4. Those based above the streets and towns: the part of the first area they answer for.
    above: list[tuple[str, str, str, bool, str | None]] = []
    if area.depth < subdivision_depth:
        first_answered = (
            Responsibility.objects.active_at(at)
            .filter(worker=OuterRef("pk"), area__depth__gte=subdivision_depth)
            .filter(in_subtree)
            .order_by("area__path")
            .annotate(prefix=Substr("area__path", 1, prefix_length))
            .values("prefix")[:1]
        )
        above = list(
            workers.filter(area__depth__lt=subdivision_depth)
            .annotate(part_prefix=Subquery(first_answered))
            .values_list("kind", "sent_from", "committee", "sent_down", "part_prefix")
        )
    # 5. The teams serving the subtree.
    teams = Counter(
        dict(
            Team.objects.filter(in_subtree)
            .order_by()
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
    )

    parts = {key: Part(key) for key in (URBAN, RURAL, ABOVE)}
    whole = Tally()
    per_child = {child.path: Tally() for child in children}
    child_length = (area.depth + 1) * steplen
    present: set[str] = set(answered)
    for path, kind, sent_from, committee, sent_down, n in rows:
        present.add(path)
        parts[_part_of(path, prefix_length, kinds)].tally.add(
            kind, sent_from, committee, sent_down, n
        )
        whole.add(kind, sent_from, committee, sent_down, n)
        child = per_child.get(path[:child_length])
        if child is not None:
            child.add(kind, sent_from, committee, sent_down, n)
    for kind, sent_from, committee, sent_down, prefix in above:
        key = ABOVE if prefix is None else _part_of(prefix, prefix_length, kinds)
        parts[key].tally.add(kind, sent_from, committee, sent_down, 1)
        whole.add(kind, sent_from, committee, sent_down, 1)

    # An area counts when someone is based in it or answers for it, or for something below.
    covered = {path[:end] for path in present for end in range(steplen, len(path) + 1, steplen)}
    for path in covered:
        kind = kinds.get(path)
        depth = depths.get(path)
        if kind is None or depth is None or not path.startswith(area.path):
            continue
        part = parts[_part_of(path, prefix_length, kinds)]
        if kind in GRID_KINDS:
            part.grids[kind] += 1
        elif depth > area.depth and depth in (subdivision_depth, subdivision_depth + 1):
            part.places[kind] += 1

    return WorkforceSummary(
        area=area,
        parts=[part for part in parts.values() if part.tally.total],
        teams=teams,
        tally=whole,
        children=[ChildRow(child, per_child[child.path]) for child in children],
    )


# --- the sentences -------------------------------------------------------------------------


def number(n: int) -> str:
    """1,848 in English, 1848 in Chinese (each language's own grouping)."""
    return str(formats.number_format(n, force_grouping=True))


def join_list(items: list[str]) -> str:
    """A, B and C (English) / A、B和C (Chinese)."""
    if len(items) <= 1:
        return "".join(items)
    separator = pgettext("a list in a sentence", ", ")
    last = pgettext("a list in a sentence, before its last item", " and ")
    return separator.join(items[:-1]) + last + items[-1]


def _places(counter: Counter[str]) -> list[str]:
    said = []
    streets = counter[AreaKind.STREET]
    if streets:
        said.append(
            ngettext("%(count)s street", "%(count)s streets", streets) % {"count": number(streets)}
        )
    towns, townships = counter[AreaKind.TOWN], counter[AreaKind.TOWNSHIP]
    if towns and townships:
        both = towns + townships
        said.append(
            ngettext("%(count)s town or township", "%(count)s towns and townships", both)
            % {"count": number(both)}
        )
    elif towns:
        said.append(ngettext("%(count)s town", "%(count)s towns", towns) % {"count": number(towns)})
    elif townships:
        said.append(
            ngettext("%(count)s township", "%(count)s townships", townships)
            % {"count": number(townships)}
        )
    communities = counter[AreaKind.COMMUNITY]
    if communities:
        said.append(
            ngettext("%(count)s community", "%(count)s communities", communities)
            % {"count": number(communities)}
        )
    villages = counter[AreaKind.VILLAGE]
    if villages:
        said.append(
            ngettext("%(count)s village", "%(count)s villages", villages)
            % {"count": number(villages)}
        )
    return said


def _grids(counter: Counter[str]) -> list[str]:
    said = []
    for kind in (AreaKind.COMPOUND, AreaKind.VILLAGE_GROUP, AreaKind.GRID):
        n = counter[kind]
        if not n:
            continue
        if kind == AreaKind.COMPOUND:
            text = ngettext("%(count)s compound", "%(count)s compounds", n)
        elif kind == AreaKind.VILLAGE_GROUP:
            text = ngettext("%(count)s village group", "%(count)s village groups", n)
        else:
            text = ngettext("%(count)s grid", "%(count)s grids", n)
        said.append(text % {"count": number(n)})
    return said


def _cadres(cadres: Counter[str]) -> str:
    total = sum(cadres.values())
    if not total:
        return ""
    levels = [level for level in CADRE_LEVELS if cadres[level]]
    if levels == [""]:
        return ngettext("%(count)s stationed cadre", "%(count)s stationed cadres", total) % {
            "count": number(total)
        }
    said = []
    for level in levels:
        n = number(cadres[level])
        if level == SentFrom.CITY:
            said.append(pgettext("stationed cadres", "%(count)s city-level") % {"count": n})
        elif level == SentFrom.DISTRICT:
            said.append(pgettext("stationed cadres", "%(count)s district-level") % {"count": n})
        elif level == SentFrom.STREET:
            said.append(pgettext("stationed cadres", "%(count)s street-level") % {"count": n})
        else:
            said.append(pgettext("stationed cadres", "%(count)s other") % {"count": n})
    if len(said) == 1:
        joined = said[0]
    else:
        separator = pgettext("levels of stationed cadres", ", ")
        last = pgettext("levels of stationed cadres, before the last", " and ")
        joined = separator.join(said[:-1]) + last + said[-1]
    return ngettext("%(levels)s stationed cadre", "%(levels)s stationed cadres", total) % {
        "levels": joined
    }


def _committee(committee: str, n: int, only: bool) -> str:
    """A committee's members; with only one committee in the sentence, English says
    "committee members" (as the seed's translation does) and Chinese names it anyway."""
    count = {"count": number(n)}
    if committee == Committee.SOCIAL_WORK:
        if only:
            return (
                npgettext(
                    "the only committee: social work",
                    "%(count)s committee member",
                    "%(count)s committee members",
                    n,
                )
                % count
            )
        return (
            ngettext(
                "%(count)s social work committee member",
                "%(count)s social work committee members",
                n,
            )
            % count
        )
    if committee == Committee.PUBLIC_HEALTH:
        if only:
            return (
                npgettext(
                    "the only committee: public health",
                    "%(count)s committee member",
                    "%(count)s committee members",
                    n,
                )
                % count
            )
        return (
            ngettext(
                "%(count)s public health committee member",
                "%(count)s public health committee members",
                n,
            )
            % count
        )
    if committee == Committee.PATRIOTIC_HEALTH:
        if only:
            return (
                npgettext(
                    "the only committee: patriotic health",
                    "%(count)s committee member",
                    "%(count)s committee members",
                    n,
                )
                % count
            )
        return (
            ngettext(
                "%(count)s patriotic health committee member",
                "%(count)s patriotic health committee members",
                n,
            )
            % count
        )
    return ngettext("%(count)s committee member", "%(count)s committee members", n) % count


def _other(kind: str, n: int) -> str:
    count = {"count": number(n)}
    if kind == WorkerKind.MEDICAL:
        return ngettext("%(count)s medical worker", "%(count)s medical workers", n) % count
    if kind == WorkerKind.POLICE:
        return ngettext("%(count)s police officer", "%(count)s police officers", n) % count
    if kind == WorkerKind.PROPERTY_STAFF:
        return (
            ngettext(
                "%(count)s property management worker", "%(count)s property management workers", n
            )
            % count
        )
    if kind == WorkerKind.OWNERS_COMMITTEE:
        return (
            ngettext("%(count)s owners' committee member", "%(count)s owners' committee members", n)
            % count
        )
    if kind == WorkerKind.VETERAN:
        return ngettext("%(count)s veteran", "%(count)s veterans", n) % count
    return ngettext("%(count)s volunteer", "%(count)s volunteers", n) % count


def _others(tally: Tally) -> list[str]:
    said = []
    cadres = _cadres(tally.cadres)
    if cadres:
        said.append(cadres)
    committees = [c for c in COMMITTEES if tally.committees[c]]
    for committee in committees:
        said.append(_committee(committee, tally.committees[committee], len(committees) == 1))
    for kind in OTHER_KINDS:
        if tally.others[kind]:
            said.append(_other(kind, tally.others[kind]))
    return said


def part_sentence(part: Part) -> str:
    """ "9 streets, 65 communities, 1,848 staff; 429 city-level … in 638 compounds"."""
    tally = part.tally
    if not tally.total:
        return ""
    places = _places(part.places)
    head = pgettext("a list of areas", ", ").join(places)
    if tally.staff:
        staff = ngettext("%(count)s staff", "%(count)s staff", tally.staff) % {
            "count": number(tally.staff)
        }
        head = (
            pgettext("areas, then their staff", "%(areas)s, %(staff)s")
            % {"areas": head, "staff": staff}
            if head
            else staff
        )
    others = join_list(_others(tally))
    if head and others:
        people = pgettext("staff, then the others", "%(head)s; %(others)s") % {
            "head": head,
            "others": others,
        }
    else:
        people = head or others
    grids = join_list(_grids(part.grids))
    if not grids:
        return people
    return pgettext("people in their grids", "%(people)s in %(grids)s") % {
        "people": people,
        "grids": grids,
    }


def _teams(teams: Counter[str]) -> list[str]:
    said = []
    n = teams[TeamKind.PARTY_VANGUARD]
    if n:
        said.append(
            ngettext("%(count)s party vanguard team", "%(count)s party vanguard teams", n)
            % {"count": number(n)}
        )
    women, youth = teams[TeamKind.WOMEN_VOLUNTEER], teams[TeamKind.YOUTH_VANGUARD]
    # The seed counts them together ("巾帼志愿者服务队""青年先锋队"55个).
    if women and youth:
        said.append(
            ngettext(
                "%(count)s women's volunteer or youth vanguard team",
                "%(count)s women's volunteer and youth vanguard teams",
                women + youth,
            )
            % {"count": number(women + youth)}
        )
    elif women:
        said.append(
            ngettext("%(count)s women's volunteer team", "%(count)s women's volunteer teams", women)
            % {"count": number(women)}
        )
    elif youth:
        said.append(
            ngettext("%(count)s youth vanguard team", "%(count)s youth vanguard teams", youth)
            % {"count": number(youth)}
        )
    n = teams[TeamKind.BLUE_VEST]
    if n:
        said.append(
            ngettext("%(count)s blue vest team", "%(count)s blue vest teams", n)
            % {"count": number(n)}
        )
    n = teams[TeamKind.OTHER]
    if n:
        said.append(
            ngettext("%(count)s other team", "%(count)s other teams", n) % {"count": number(n)}
        )
    return said


def teams_sentence(teams: Counter[str], sent_down: int) -> str:
    """ "85 party vanguard teams, 55 women's volunteer and youth vanguard teams; 5,036 people
    sent down to communities and villages"."""
    said = pgettext("a list of teams", ", ").join(_teams(teams))
    if not sent_down:
        return said
    down = ngettext(
        "%(count)s person sent down to communities and villages",
        "%(count)s people sent down to communities and villages",
        sent_down,
    ) % {"count": number(sent_down)}
    if not said:
        return down
    return pgettext("teams, then the people sent down", "%(teams)s; %(sent_down)s") % {
        "teams": said,
        "sent_down": down,
    }
