"""The demo district's areas, as the rows of an area-tree sheet, and its grids' sizes.

The structure depends on the profile only (not on --seed), so that a district keeps its
shape whatever residents are generated in it. It is imported through the same planner
as any sheet (`wangge.areas.actions.plan_tree_import`), so it obeys the tree's rules.
"""

import random
from dataclasses import dataclass

from wangge.areas.choices import AreaKind
from wangge.areas.importing import KIND_EXPORT_NAMES, TreeRow
from wangge.demo.names import COMPOUND_PLACES, COMPOUND_SUFFIXES, GROUP_NAMES
from wangge.demo.profiles import Profile, Subdivision

_FIRST_CODE = {AreaKind.STREET: 1, AreaKind.TOWN: 100, AreaKind.TOWNSHIP: 200}
_FIRST_VILLAGE = 201


@dataclass(frozen=True)
class GridSpec:
    """A compound or village group to fill with households."""

    parent_code: str  # the community's or village's code
    name: str
    kind: AreaKind
    weight: float  # its share of the district's residents, before scaling
    subdivision: str  # the street/town/township it lies in
    place: str  # the village's name (addresses in village groups), else the compound's
    floors: int = 0  # compounds: storeys of its buildings
    units: int = 0  # compounds: stairwells per building

    @property
    def is_compound(self) -> bool:
        return self.kind == AreaKind.COMPOUND


@dataclass(frozen=True)
class Structure:
    rows: list[TreeRow]
    grids: list[GridSpec]


def spread(total: int, weights: list[float]) -> list[int]:
    """Whole numbers proportional to `weights` that add up to exactly `total`."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _compound_names(
    rng: random.Random, community: str, count: int, fixed: tuple[str, ...], taken: set[str]
) -> list[str]:
    names = [name for name in fixed if name not in taken]
    taken.update(names)
    base = community.removesuffix("社区")
    while len(names) < count:
        place = base if rng.random() < 0.3 else rng.choice(COMPOUND_PLACES)
        name = place + rng.choice(COMPOUND_SUFFIXES)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def build_structure(profile: Profile) -> Structure:
    """The rows of the district's tree (parents first) and its grids."""
    rng = random.Random(f"wangge-demo-structure:{profile.key}")
    city_name, city_code = profile.city
    district_name, district_code = profile.district
    rows: list[TreeRow] = []

    def add(code: str, name: str, kind: AreaKind, parent: str) -> None:
        rows.append(TreeRow(len(rows) + 2, code, name, KIND_EXPORT_NAMES[kind], parent))

    add(city_code, city_name, AreaKind.CITY, "")
    add(district_code, district_name, AreaKind.DISTRICT, city_code)

    communities: list[tuple[Subdivision, str, str]] = []  # subdivision, code, name
    villages: list[tuple[Subdivision, str, str]] = []
    numbers = dict(_FIRST_CODE)
    for subdivision in profile.subdivisions:
        sub_code = f"{district_code}{numbers[subdivision.kind]:03d}"
        numbers[subdivision.kind] += 1
        add(sub_code, subdivision.name, subdivision.kind, district_code)
        for index, name in enumerate(subdivision.communities, start=1):
            code = f"{sub_code}{index:03d}"
            add(code, name, AreaKind.COMMUNITY, sub_code)
            communities.append((subdivision, code, name))
        for index, name in enumerate(subdivision.villages, start=_FIRST_VILLAGE):
            code = f"{sub_code}{index:03d}"
            add(code, name, AreaKind.VILLAGE, sub_code)
            villages.append((subdivision, code, name))

    grids: list[GridSpec] = []
    # Town and township communities are small; street communities carry the compounds.
    shares = [
        rng.uniform(0.6, 1.4) * (1.0 if sub.kind == AreaKind.STREET else 0.35)
        for sub, _code, _name in communities
    ]
    minimum = [max(2, len(profile.named_compounds.get(name, ()))) for _s, _c, name in communities]
    spare = profile.compounds - sum(minimum)
    counts = [base + extra for base, extra in zip(minimum, spread(spare, shares), strict=True)]
    taken: set[str] = set()
    low, high = profile.compound_size
    for (subdivision, code, name), count in zip(communities, counts, strict=True):
        fixed = profile.named_compounds.get(name, ())
        for compound in _compound_names(rng, name, count, fixed, taken):
            add("", compound, AreaKind.COMPOUND, code)
            grids.append(
                GridSpec(
                    parent_code=code,
                    name=compound,
                    kind=AreaKind.COMPOUND,
                    weight=rng.uniform(low, high),
                    subdivision=subdivision.name,
                    place=compound,
                    floors=rng.choice((5, 6, 6, 7, 11, 18, 26)),
                    units=rng.randint(1, 4),
                )
            )
    low, high = profile.group_size
    for subdivision, code, name in villages:
        for group in GROUP_NAMES[: rng.randint(*profile.groups_per_village)]:
            add("", group, AreaKind.VILLAGE_GROUP, code)
            grids.append(
                GridSpec(
                    parent_code=code,
                    name=group,
                    kind=AreaKind.VILLAGE_GROUP,
                    weight=rng.uniform(low, high),
                    subdivision=subdivision.name,
                    place=name,
                )
            )
    return Structure(rows, grids)


def residents_per_grid(structure: Structure, residents: int) -> list[int]:
    """How many residents each grid gets, proportional to its weight, exactly `residents`."""
    return spread(residents, [grid.weight for grid in structure.grids])
