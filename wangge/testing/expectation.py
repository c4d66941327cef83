"""Who a round expects: residents in scope, present, not exempt (shared/DOMAIN.md).

The same rule is applied two ways: as a queryset for counting and listing, and in Python
(`ExpectationRules.expects`) for a batch of residents already loaded during ingestion.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from wangge.core.scoping import in_scope, subtree_q
from wangge.residents.choices import ResidentStatus, Tag
from wangge.residents.models import Resident, ResidentQuerySet
from wangge.testing.models import Exemption, Round, RoundScope

# A plain int: IntFlag arithmetic costs microseconds, and ingestion tests every person.
_UNDER_TREATMENT = int(Tag.UNDER_TREATMENT)


def scope_paths(round_: Round) -> list[str]:
    return list(RoundScope.objects.filter(round=round_).values_list("area__path", flat=True))


def _infant_cutoff(round_: Round) -> int | None:
    """Residents born in this year or later are infants the round exempts (None: no rule).

    Only the birth year is stored, so "under N" is by year: with N = 1 a round starting
    in 2026 exempts those born in 2026, with N = 3 those born in 2024 or later. A person
    of unknown birth year (a newborn registered in the first days of the year) is expected.
    """
    years = round_.exempt_infants_under_years
    if not years:
        return None
    return timezone.localdate(round_.starts_at).year - years + 1


@dataclass(frozen=True)
class ExpectationRules:
    """A round's rule, ready to test residents one by one."""

    paths: tuple[str, ...]
    infant_cutoff: int | None  # the first birth year exempted as an infant
    exempt_under_treatment: bool

    @classmethod
    def for_round(cls, round_: Round, paths: list[str] | None = None) -> "ExpectationRules":
        """The round's rule; `paths`, its scope's area paths when already read."""
        if paths is None:
            paths = scope_paths(round_)
        return cls(tuple(paths), _infant_cutoff(round_), round_.exempt_under_treatment)

    def in_scope(self, grid_path: str) -> bool:
        return in_scope(self.paths, grid_path)

    def expects(self, resident: Resident, grid_path: str, *, exempted: bool) -> bool:
        return self.expects_in(resident, in_scope=self.in_scope(grid_path), exempted=exempted)

    def expects_in(self, resident: Resident, *, in_scope: bool, exempted: bool) -> bool:
        """`expects`, whether the resident's grid is in the round's scope already known (a
        batch asks it once per grid)."""
        if exempted or resident.status != ResidentStatus.PRESENT or not in_scope:
            return False
        if self.exempt_under_treatment and resident.tags & _UNDER_TREATMENT:
            return False
        return not (
            self.infant_cutoff is not None
            and resident.birth_year is not None
            and resident.birth_year >= self.infant_cutoff
        )


def expected_residents(round_: Round, rules: ExpectationRules | None = None) -> ResidentQuerySet:
    """The round's expected residents as a queryset (scope it further before listing)."""
    rules = rules or ExpectationRules.for_round(round_)
    if not rules.paths:
        return Resident.objects.none()
    queryset: ResidentQuerySet = Resident.objects.filter(
        subtree_q(rules.paths, "grid__path"), status=ResidentStatus.PRESENT
    )
    if rules.exempt_under_treatment:
        queryset = queryset.annotate(
            under_treatment=F("tags").bitand(int(Tag.UNDER_TREATMENT))
        ).filter(under_treatment=0)
    if rules.infant_cutoff is not None:
        queryset = queryset.exclude(birth_year__gte=rules.infant_cutoff)
    exempted = Exemption.objects.filter(round=round_, resident=OuterRef("pk"))
    return queryset.exclude(Exists(exempted))
