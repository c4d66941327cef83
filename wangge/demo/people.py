"""Synthetic households and residents, deterministic for a seed.

A household is built around its head: a spouse, children or an elderly parent for a
young head, an adult child with a spouse and grandchildren for an older one. Sizes
follow the 2020 census' shape (mean ≈ 2.7, larger in villages), so that the district's
age pyramid and sex ratio come out close to China's in 2020 without drawing ages
independently. Everything here is plain Python data: sealing personal values and
writing rows is `wangge.demo.bulk`'s job.
"""

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from wangge.demo.names import (
    DONGXIANG_SURNAMES,
    GIVEN_NAMES,
    HUI_SURNAMES,
    MOBILE_PREFIXES,
    SURNAMES,
)
from wangge.demo.profiles import Profile
from wangge.demo.structure import GridSpec
from wangge.residents.choices import ResidentStatus, Tag

URBAN_SIZES = ((1, 2, 3, 4, 5, 6), (0.20, 0.30, 0.24, 0.14, 0.07, 0.05))
RURAL_SIZES = ((1, 2, 3, 4, 5, 6), (0.12, 0.25, 0.23, 0.20, 0.12, 0.08))
# Ages of household heads: (low, high, weight); people living alone are younger or older.
HEAD_AGES = (
    (22, 29, 7),
    (30, 39, 22),
    (40, 49, 23),
    (50, 59, 21),
    (60, 69, 15),
    (70, 79, 8),
    (80, 92, 3.5),
)
SINGLE_AGES = ((18, 29, 28), (30, 44, 17), (45, 59, 16), (60, 74, 22), (75, 95, 15))
DAYS_PER_YEAR = 365.2425


class _Weighted:
    """A fast weighted choice (cumulative weights and bisect)."""

    def __init__(self, items: Sequence[tuple[object, float]]) -> None:
        self.values = [value for value, _weight in items]
        self.cumulative = list(itertools.accumulate(weight for _value, weight in items))
        self.total = self.cumulative[-1]

    def pick(self, random01: "Callable[[], float]") -> object:
        return self.values[bisect.bisect_right(self.cumulative, random01() * self.total)]


class Person(NamedTuple):
    """One resident as plain values; the ID number is built (and sealed) from its parts."""

    name: str
    has_id: bool
    region: str
    birth_ordinal: int
    order: int
    sex: str
    phone_prefix: str
    phone_number: int  # 8 digits after the prefix; -1: no phone
    ethnicity: str
    status: str
    tags: int
    relation: str
    code_bits: int  # the resident code's 50 random bits


class Home(NamedTuple):
    building: str
    unit: str
    room: str
    address: str
    members: list[Person]


_PRESENT = str(ResidentStatus.PRESENT)
_AWAY = str(ResidentStatus.AWAY)
_HOSPITALISED = str(ResidentStatus.HOSPITALISED)
_MOVED_OUT = str(ResidentStatus.MOVED_OUT)
_DECEASED = str(ResidentStatus.DECEASED)


class PeopleFactory:
    """Makes the households of one district, one grid after another.

    Written for speed (a million people in seconds): one random source, integer
    arithmetic instead of `randint`/`choice`, tuples instead of objects.
    """

    def __init__(self, profile: Profile, seed: int) -> None:
        self.profile = profile
        self.rng = random.Random(f"wangge-demo-people:{profile.key}:{seed}")
        self.random = self.rng.random
        self.reference = profile.reference_date.toordinal()
        self.urban_sizes = _Weighted(list(zip(*URBAN_SIZES, strict=True)))
        self.rural_sizes = _Weighted(list(zip(*RURAL_SIZES, strict=True)))
        self.head_ages = _Weighted([((low, high), w) for low, high, w in HEAD_AGES])
        self.single_ages = _Weighted([((low, high), w) for low, high, w in SINGLE_AGES])
        self.surnames = {
            "回族": _Weighted(HUI_SURNAMES),
            "东乡族": _Weighted(DONGXIANG_SURNAMES),
        }
        self.common_surnames = _Weighted(SURNAMES)
        self.ethnicities = _Weighted(profile.ethnicities)
        self.local_ethnicities = {
            name: _Weighted(mix) for name, mix in profile.ethnic_subdivisions.items()
        }
        # Given names by era: the first era whose start ordinal is above the birth.
        self.eras = [
            (dt.date(before, 1, 1).toordinal() if before < 9999 else 10**9, male, female)
            for before, male, female in GIVEN_NAMES
        ]
        self.used_ids: set[int] = set()
        self.used_codes: set[int] = set()
        self.regions = [profile.region, *profile.floating_regions]
        self.order_low = profile.order_range[0] // 2
        self.order_span = (profile.order_range[1] - 1) // 2 - self.order_low + 1

    def _between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def _given_name(self, birth_ordinal: int, sex: str) -> str:
        for start_of_next, male, female in self.eras:
            if birth_ordinal < start_of_next:
                names = male if sex == "M" else female
                return names[int(self.random() * len(names))]
        return ""  # unreachable: the last era has no upper bound

    def _order(self, region_index: int, birth_ordinal: int, sex: str) -> int:
        """A free order code for this region and birth date, odd for men, even for women."""
        odd = 1 if sex == "M" else 0
        base = (region_index << 40) | (birth_ordinal << 12)
        for _attempt in range(500):
            order = (self.order_low + int(self.random() * self.order_span)) * 2 + odd
            if base | order not in self.used_ids:
                self.used_ids.add(base | order)
                return order
        raise RuntimeError("no free ID order code left for one birth date and region")

    def _code_bits(self) -> int:
        while True:
            bits = self.rng.getrandbits(50)
            if bits not in self.used_codes:
                self.used_codes.add(bits)
                return bits

    def _status_and_tags(self, age: int, sex: str, married: bool) -> tuple[str, int]:
        r = self.random
        tags = 0
        if age >= 80:
            bedridden, limited = 0.08, 0.18
        elif age >= 70:
            bedridden, limited = 0.02, 0.07
        elif age >= 60:
            bedridden, limited = 0.005, 0.02
        else:
            bedridden, limited = 0.0005, 0.003
        roll = r()
        if roll < bedridden:
            tags |= Tag.BEDRIDDEN
        elif roll < bedridden + limited:
            tags |= Tag.LIMITED_MOBILITY
        if married and sex == "F" and 20 <= age <= 40 and r() < 0.04:
            tags |= Tag.PREGNANT
        if r() < (0.04 if age >= 70 else 0.012):
            tags |= Tag.DISABLED
        roll = r()
        if roll < 0.003:
            status = _MOVED_OUT
        elif age >= 85 and roll < 0.008:
            status = _DECEASED
        elif (age >= 80 and roll < 0.028) or roll > 0.9965:
            status = _HOSPITALISED
        elif roll < (0.048 if 18 <= age <= 55 else 0.018):
            status = _AWAY  # migrant work, study, visiting family
        else:
            status = _PRESENT
        if status is _HOSPITALISED or r() < 0.004:
            tags |= Tag.UNDER_TREATMENT
        return status, int(tags)

    def person(
        self,
        surname: str,
        age: int,
        sex: str,
        relation: str,
        region_index: int,
        ethnicity: str,
        floating: bool,
        married: bool = False,
    ) -> Person:
        r = self.random
        birth = self.reference - int((age + r()) * DAYS_PER_YEAR)
        has_id = age >= 1 or r() < 0.6  # some newborns have no number yet
        status, tags = self._status_and_tags(age, sex, married)
        if floating:
            tags |= Tag.FLOATING
        share = 0.0 if age < 12 else 0.4 if age < 16 else 0.6 if age >= 80 else 0.96
        if r() < share:
            prefix = MOBILE_PREFIXES[int(r() * len(MOBILE_PREFIXES))]
            number = int(r() * 100_000_000)
        else:
            prefix, number = "", -1
        return Person(
            surname + self._given_name(birth, sex),
            has_id,
            self.regions[region_index],
            birth,
            self._order(region_index, birth, sex) if has_id else 0,
            sex,
            prefix,
            number,
            ethnicity,
            status,
            tags,
            relation,
            self._code_bits(),
        )

    def staff_member(self) -> tuple[str, str]:
        """The name and mobile number of a community worker of working age."""
        sex = "M" if self.random() < 0.5 else "F"
        birth = self.reference - int((self._between(25, 55) + self.random()) * DAYS_PER_YEAR)
        prefix = MOBILE_PREFIXES[int(self.random() * len(MOBILE_PREFIXES))]
        number = int(self.random() * 100_000_000)
        return self._surname("") + self._given_name(birth, sex), f"{prefix}{number:08d}"

    def _surname(self, ethnicity: str) -> str:
        pool = self.surnames.get(ethnicity, self.common_surnames)
        return str(pool.pick(self.random))

    def household(self, grid: GridSpec, size: int, floating: bool) -> list[Person]:
        r = self.random
        local = self.local_ethnicities.get(grid.subdivision)
        ethnicity = str((local or self.ethnicities).pick(r))
        others = len(self.regions) - 1
        region = 1 + int(r() * others) if floating else 0
        family = self._surname(ethnicity)
        bands = self.single_ages if size == 1 else self.head_ages
        band: tuple[int, int] = bands.pick(r)  # type: ignore[assignment]
        head_age = self._between(*band)
        if size >= 3:
            head_age = max(head_age, 21 + 3 * size)  # old enough for the children
        head_sex = "M" if r() < (0.5 if size == 1 else 0.72) else "F"
        has_spouse = size >= 2 and r() < 0.88
        head_surname = family if head_sex == "M" else self._surname(ethnicity)
        members = [
            self.person(
                head_surname, head_age, head_sex, "户主", region, ethnicity, floating, has_spouse
            )
        ]
        children_surname = family
        if has_spouse:
            spouse_sex = "F" if head_sex == "M" else "M"
            shift = -1.5 if spouse_sex == "F" else 1.5
            spouse_age = max(18, min(99, head_age + round(self.rng.gauss(shift, 2.5))))
            spouse_surname = family if spouse_sex == "M" else self._surname(ethnicity)
            if head_sex == "F":
                head_surname, spouse_surname = members[0].name[:1], family
                children_surname = family
            # Spouses often come from elsewhere in the province.
            spouse_region = region if floating or r() < 0.85 else 1 + int(r() * others)
            members.append(
                self.person(
                    spouse_surname,
                    spouse_age,
                    spouse_sex,
                    "配偶",
                    spouse_region,
                    ethnicity,
                    floating,
                    True,
                )
            )
        remaining = size - len(members)
        if remaining:
            if head_age < 52:
                self._young_family(
                    members, remaining, head_age, children_surname, region, ethnicity, floating
                )
            else:
                self._older_family(
                    members, remaining, head_age, children_surname, region, ethnicity, floating
                )
        return members

    def _young_family(
        self,
        members: list[Person],
        remaining: int,
        head_age: int,
        surname: str,
        region: int,
        ethnicity: str,
        floating: bool,
    ) -> None:
        r = self.random
        age = head_age - self._between(22, 32)
        for index in range(remaining):
            if index == remaining - 1 and remaining >= 2 and r() < 0.3:
                sex = "F" if r() < 0.6 else "M"
                members.append(
                    self.person(
                        self._surname(ethnicity) if sex == "F" else surname,
                        min(98, head_age + self._between(24, 32)),
                        sex,
                        "母亲" if sex == "F" else "父亲",
                        region,
                        ethnicity,
                        floating,
                    )
                )
                continue
            sex = "M" if r() < 0.515 else "F"
            child_age = age if age >= 0 else self._between(0, 4)
            relation = "子" if sex == "M" else "女"
            members.append(
                self.person(surname, child_age, sex, relation, region, ethnicity, floating)
            )
            age -= self._between(1, 5)

    def _older_family(
        self,
        members: list[Person],
        remaining: int,
        head_age: int,
        surname: str,
        region: int,
        ethnicity: str,
        floating: bool,
    ) -> None:
        r = self.random
        child_age = max(16, head_age - self._between(23, 33))
        child_sex = "M" if r() < 0.6 else "F"
        grandchild_age = child_age - self._between(22, 30)
        grandchild_surname = surname if child_sex == "M" else self._surname(ethnicity)
        for index in range(remaining):
            if index == 0:
                relation = "子" if child_sex == "M" else "女"
                members.append(
                    self.person(
                        surname,
                        child_age,
                        child_sex,
                        relation,
                        region,
                        ethnicity,
                        floating,
                        remaining > 1,
                    )
                )
            elif index == 1 and child_age >= 22 and r() < 0.75:
                sex = "F" if child_sex == "M" else "M"
                in_law = grandchild_surname if sex == "M" else self._surname(ethnicity)
                members.append(
                    self.person(
                        in_law,
                        max(20, child_age + self._between(-3, 3)),
                        sex,
                        "儿媳" if sex == "F" else "女婿",
                        region,
                        ethnicity,
                        floating,
                        True,
                    )
                )
            else:
                sex = "M" if r() < 0.515 else "F"
                age = grandchild_age if grandchild_age >= 0 else self._between(0, 4)
                relation = "孙子" if sex == "M" else "孙女"
                members.append(
                    self.person(grandchild_surname, age, sex, relation, region, ethnicity, floating)
                )
                grandchild_age -= self._between(1, 6)

    def homes(self, grid: GridSpec, residents: int) -> Iterator[Home]:
        """Households of this grid until it holds exactly `residents` people."""
        r = self.random
        sizes = self.urban_sizes if grid.is_compound else self.rural_sizes
        floating_share = self.profile.floating_household_share * (1 if grid.is_compound else 0.2)
        per_building = max(1, grid.floors * grid.units * 2)
        per_unit = max(1, grid.floors * 2)
        position = 0
        placed = 0
        while placed < residents:
            size = min(int(sizes.pick(r)), residents - placed)  # type: ignore[call-overload]
            members = self.household(grid, size, r() < floating_share)
            placed += size
            if grid.is_compound:
                if r() < 0.08:
                    position += 1  # an empty flat
                building, rest = divmod(position, per_building)
                unit, rest = divmod(rest, per_unit)
                floor, door = divmod(rest, 2)
                b, u, room = str(building + 1), str(unit + 1), f"{floor + 1}{door + 1:02d}"
                yield Home(b, u, room, f"{grid.place}{b}号楼{u}单元{room}", members)
            else:
                number = f"{position + 1}号"
                yield Home("", "", number, f"{grid.place}{grid.name}{number}", members)
            position += 1
