"""The workforce list import: read a sheet, check every row, keep it until the uploader
decides to import its valid rows or nothing.

    upload → analyse (read, check, match against the workers on record) → report
           → the uploader chooses: apply the valid rows (actions.workers.apply_import)

The sheet is found and read by `wangge.lib.spreadsheets` (title rows, header variants,
blank and totals rows, CSV encodings, size limits). A row's words are read by `parse_row`
(no database): kinds as offices write them (驻守干部, 社区工作人员, 网格长, 志愿者 …), the
sending level (市级 / 区级 / 街道), the committee, 是 / 否. Its area is a division code or
a path of names below the chosen area (`AreaResolver`), and its details go through
`WorkerData.clean`, the forms' own validator. A row whose phone (by blind index), or
without a phone whose name and area, match a worker of the chosen area updates that
worker, so importing the same list twice changes nothing.

Between the check and the decision the checked rows (phones included) wait only
encrypted, for their uploader, at most a day (`wangge.core.staging`).
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.personal_data import phone_lookups
from wangge.core.scoping import subtree_q
from wangge.core.staging import Staging
from wangge.lib import spreadsheets
from wangge.lib.excel import Column, WorkbookBuilder
from wangge.lib.spreadsheets import Cell, Row, SpreadsheetError
from wangge.workforce.actions.workers import ImportRow, WorkerData, logins_in_scope
from wangge.workforce.choices import Committee, SentFrom, WorkerKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.models import Worker

# The columns of a workforce list: field key → the header names offices use for it.
WORKER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "no", "no.", "#"),
    "name": ("姓名", "名字", "人员姓名", "name", "full name"),
    "kind": (
        "类别",
        "人员类别",
        "人员类型",
        "类型",
        "身份",
        "人员身份",
        "岗位",
        "kind",
        "type",
        "category",
    ),
    "sent_from": (
        "派出层级",
        "派出级别",
        "下派层级",
        "干部层级",
        "层级",
        "级别",
        "sent from",
        "sending level",
    ),
    "committee": ("委员会", "所属委员会", "committee"),
    "party_member": (
        "是否党员",
        "党员",
        "中共党员",
        "政治面貌",
        "party member",
        "party",
    ),
    "sent_down": ("是否下沉", "下沉", "下沉人员", "sent down"),
    "unit": ("单位", "工作单位", "所在单位", "派出单位", "原单位", "unit", "employer"),
    "phone": (
        "联系电话",
        "联系方式",
        "手机号",
        "手机号码",
        "电话",
        "电话号码",
        "手机",
        "phone",
        "mobile",
        "phone number",
    ),
    "area": (
        "所在区域",
        "区域",
        "所属区域",
        "所在地区",
        "服务区域",
        "所在网格",
        "所属网格",
        "网格",
        "所在社区",
        "所属社区",
        "社区",
        "区划代码",
        "area",
        "based in",
    ),
    "username": ("登录账号", "账号", "用户名", "系统账号", "username", "login", "account"),
}

# What the template sheet's header says (the import recognises every one).
TEMPLATE_HEADER = (
    "姓名",
    "类别",
    "派出层级",
    "委员会",
    "是否党员",
    "是否下沉",
    "单位",
    "联系电话",
    "所在区域",
    "登录账号",
)

# Words offices write for each kind, beyond the product's own values and labels.
KIND_WORDS: Mapping[str, WorkerKind] = {
    **dict.fromkeys(
        ("驻守干部", "下沉干部", "驻点干部", "包片干部", "驻村干部", "包村干部", "机关干部"),
        WorkerKind.STATIONED_CADRE,
    ),
    **dict.fromkeys(
        ("街道工作人员", "乡镇工作人员", "街道干部", "乡镇干部", "街道办工作人员"),
        WorkerKind.STREET_STAFF,
    ),
    **dict.fromkeys(
        (
            "社区工作人员",
            "社区干部",
            "社区工作者",
            "村干部",
            "村两委",
            "村组干部",
            "村工作人员",
            "工作人员",
        ),
        WorkerKind.COMMUNITY_STAFF,
    ),
    **dict.fromkeys(("网格长",), WorkerKind.GRID_LEADER),
    **dict.fromkeys(("网格员", "专职网格员", "兼职网格员"), WorkerKind.GRID_MEMBER),
    **dict.fromkeys(
        ("医务人员", "医护人员", "医生", "护士", "医护", "采样人员"), WorkerKind.MEDICAL
    ),
    **dict.fromkeys(("民警", "警察", "公安", "辅警", "社区民警"), WorkerKind.POLICE),
    **dict.fromkeys(("委员会委员", "委员", "三委委员"), WorkerKind.COMMITTEE_MEMBER),
    **dict.fromkeys(("物业", "物业人员", "物业工作人员", "物业公司"), WorkerKind.PROPERTY_STAFF),
    **dict.fromkeys(("业委会", "业委会成员", "业主委员会"), WorkerKind.OWNERS_COMMITTEE),
    **dict.fromkeys(("退役军人", "退伍军人", "复员军人"), WorkerKind.VETERAN),
    **dict.fromkeys(
        ("志愿者", "青年志愿者", "巾帼志愿者", "党员志愿者", "蓝马甲"), WorkerKind.VOLUNTEER
    ),
}
SENT_FROM_WORDS: Mapping[str, SentFrom] = {
    **dict.fromkeys(("市级", "市", "市直", "市属", "市级机关"), SentFrom.CITY),
    **dict.fromkeys(
        ("区级", "区", "县级", "县", "区县", "区直", "区属", "区级机关"), SentFrom.DISTRICT
    ),
    **dict.fromkeys(("街道", "街道级", "乡镇", "乡镇级", "镇", "乡"), SentFrom.STREET),
}
COMMITTEE_WORDS: Mapping[str, Committee] = {
    **dict.fromkeys(("社工委", "社会工作委员会", "社会工作委"), Committee.SOCIAL_WORK),
    **dict.fromkeys(("公卫委", "公共卫生委员会", "公卫"), Committee.PUBLIC_HEALTH),
    **dict.fromkeys(("爱卫会", "爱国卫生委员会", "爱卫委"), Committee.PATRIOTIC_HEALTH),
}
YES_WORDS = frozenset(
    {"是", "y", "yes", "true", "1", "√", "✓", "党员", "中共党员", "预备党员", "中共预备党员"}
)
NO_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "x", "群众", "团员", "共青团员", "无"})

_SEPARATORS = re.compile(r"\s*[/／>＞›»\\|]\s*")


def _key(text: str) -> str:
    """A word as looked up: width folded, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _choice_words(choices: Any, extra: Mapping[str, str]) -> dict[str, str]:
    """Every way of writing a choice: its value, its English label, its Chinese label, and
    the words offices use."""
    words = {_key(word): value for word, value in extra.items()}
    for value, label in choices.choices:
        words[_key(value)] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                words.setdefault(_key(str(label)), value)
    return words


_KIND = _choice_words(WorkerKind, KIND_WORDS)
_SENT_FROM = _choice_words(SentFrom, SENT_FROM_WORDS)
_COMMITTEE = _choice_words(Committee, COMMITTEE_WORDS)


def _word(cell: Cell, words: Mapping[str, str], field_name: str, message: Any) -> str:
    text = spreadsheets.as_text(cell)
    if not text:
        return ""
    found = words.get(_key(text))
    if found is None:
        raise WorkforceError(message, field=field_name)
    return found


def parse_flag(cell: Cell, field_name: str) -> bool:
    """是 / 否 (and yes / no, 1 / 0, √, 党员 / 群众); an empty cell is no."""
    if isinstance(cell, bool):
        return cell
    text = _key(spreadsheets.as_text(cell))
    if not text:
        return False
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise WorkforceError(_("Write 是 or 否 (yes or no)."), field=field_name)


@dataclass(frozen=True)
class ParsedRow:
    """A row's words read into the product's values (the area not yet found)."""

    name: str
    kind: str
    sent_from: str
    committee: str
    party_member: bool
    sent_down: bool
    unit: str
    phone: str
    username: str


def parse_row(cells: Mapping[str, Cell]) -> ParsedRow:
    """Read one row's cells (by field key); WorkforceError names the field at fault.

    Touches no database: what a row says, not where it goes.
    """
    kind = _word(cells.get("kind"), _KIND, "kind", _("Unknown kind of worker."))
    if not kind:
        raise WorkforceError(_("This field is required."), field="kind")
    committee = _word(cells.get("committee"), _COMMITTEE, "committee", _("Unknown committee."))
    if kind == WorkerKind.COMMITTEE_MEMBER and not committee:
        committee = _word(cells.get("kind"), _COMMITTEE, "kind", _("Unknown committee."))
    sent_from = _word(
        cells.get("sent_from"), _SENT_FROM, "sent_from", _("Unknown level of the sending office.")
    )
    sent_down_cell = cells.get("sent_down")
    # A stationed cadre is sent down unless the row says otherwise.
    sent_down = (
        parse_flag(sent_down_cell, "sent_down")
        if spreadsheets.as_text(sent_down_cell)
        else kind == WorkerKind.STATIONED_CADRE
    )
    data = WorkerData.clean(
        name=spreadsheets.as_text(cells.get("name")),
        kind=kind,
        area_id=0,
        sent_from=sent_from,
        committee=committee,
        party_member=parse_flag(cells.get("party_member"), "party_member"),
        sent_down=sent_down,
        unit=spreadsheets.as_text(cells.get("unit")),
        phone=spreadsheets.as_text(cells.get("phone")),
    )
    username = spreadsheets.as_text(cells.get("username"))
    if len(username) > 150:
        raise WorkforceError(_("No such account in your areas."), field="username")
    return ParsedRow(
        name=data.name,
        kind=data.kind,
        sent_from=data.sent_from,
        committee=data.committee,
        party_member=data.party_member,
        sent_down=data.sent_down,
        unit=data.unit,
        phone=data.phone or "",
        username=username,
    )


class AreaResolver:
    """Finds a row's area below the chosen one: by division code, or by a path of names
    ("西园街道/西园社区/一号小区", the chosen area's own names and those above it may lead),
    or by one name if only one area below has it. An empty cell is the chosen area."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self.names: dict[str, str] = {a.path: a.name for a in area.ancestors_and_self()}
        self.ids: dict[str, int] = {area.path: int(area.pk)}
        self.by_name: dict[str, list[str]] = {}
        self.by_code: dict[str, int] = {}
        below = (
            Area.objects.filter(subtree_q([area.path]))
            .exclude(kind=AreaKind.BUILDING)
            .values_list("pk", "path", "name", "code")
        )
        for pk, path, name, code in below:
            self.names[path] = name
            self.ids[path] = pk
            self.by_name.setdefault(_key(name), []).append(path)
            if code:
                self.by_code[code] = pk
        self._cache: dict[str, int | WorkforceError] = {}

    def resolve(self, cell: Cell) -> int:
        text = spreadsheets.as_text(cell)
        if not text:
            return int(self.area.pk)
        found = self._cache.get(text)
        if found is None:
            found = self._lookup(text)
            self._cache[text] = found
        if isinstance(found, WorkforceError):
            raise found
        return found

    def _lookup(self, text: str) -> int | WorkforceError:
        code = self.by_code.get(text.strip())
        if code is not None:
            return code
        parts = [_key(part) for part in _SEPARATORS.split(text) if part.strip()]
        if not parts:
            return WorkforceError(_("Unknown area."), field="area")
        matches = [
            path for path in self.by_name.get(parts[-1], []) if self._ends_with(path, parts[:-1])
        ]
        if not matches:
            return WorkforceError(
                _("No area of this name (or code) in %(area)s.") % {"area": self.area.name},
                field="area",
            )
        if len(matches) > 1:
            return WorkforceError(
                _("Several areas have this name: write the path, e.g. 社区/网格."), field="area"
            )
        return self.ids[matches[0]]

    def _ends_with(self, path: str, parents: list[str]) -> bool:
        """Whether the areas right above `path` are named `parents` (nearest last)."""
        current = path
        for name in reversed(parents):
            current = current[: -Area.steplen]
            if not current or _key(self.names.get(current, "")) != name:
                return False
        return True


@dataclass(frozen=True)
class RowProblem:
    """Why one row of the sheet is not imported: its row number, column and reason."""

    row: int
    column: str
    message: str


@dataclass
class Analysis:
    """The checked sheet: its valid rows (new or updating a worker) and its problems."""

    file_name: str
    area_id: int
    rows_total: int = 0
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(1 for row in self.rows if not row.existing)

    @property
    def updates(self) -> int:
        return sum(1 for row in self.rows if row.existing)

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "area": self.area_id,
            "total": self.rows_total,
            "rows": [row.to_json() for row in self.rows],
            "problems": [[p.row, p.column, p.message] for p in self.problems],
            "ignored": self.ignored_columns,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "Analysis":
        return cls(
            file_name=str(value["file_name"]),
            area_id=int(value["area"]),
            rows_total=int(value["total"]),
            rows=[ImportRow.from_json(row) for row in value["rows"]],
            problems=[RowProblem(int(p[0]), str(p[1]), str(p[2])) for p in value["problems"]],
            ignored_columns=[str(name) for name in value["ignored"]],
        )


# What a sheet without a name or kind column is told.
NO_HEADER = gettext_lazy(
    "No header row found: the sheet needs at least a name column (姓名) and a kind column "
    "(类别); download the template."
)


def file_message(exc: SpreadsheetError) -> str:
    return str(NO_HEADER) if exc.code == "no_header" else str(exc)


def analyse(
    data: bytes, file_name: str, area: Area, *, acting_user: User | Actor | None
) -> Analysis:
    """Read and check a workforce list against the workers of `area`; changes nothing.

    Raises SpreadsheetError for a file that cannot be read at all; problems of single rows
    are in the result.
    """
    table = spreadsheets.read_table(data, file_name, WORKER_COLUMNS, required=("name", "kind"))
    header = table.header
    fields = header.fields

    def column_of(field_name: str) -> str:
        key = "username" if field_name == "user" else field_name
        return header.column_name(key) or str(key)

    resolver = AreaResolver(area)
    analysis = Analysis(file_name=file_name, area_id=int(area.pk))
    analysis.ignored_columns = list(header.ignored)
    parsed: list[tuple[Row, ParsedRow, int]] = []
    for row in table.rows():
        analysis.rows_total += 1
        cells = {key: row.get(index) for key, index in fields.items()}
        try:
            parsed.append((row, parse_row(cells), resolver.resolve(cells.get("area"))))
        except WorkforceError as exc:
            analysis.problems.append(RowProblem(row.number, column_of(exc.field), exc.message))
    _match(parsed, area, acting_user, analysis, column_of)
    analysis.problems.sort(key=lambda problem: problem.row)
    return analysis


def _match(
    parsed: list[tuple[Row, ParsedRow, int]],
    area: Area,
    acting_user: User | Actor | None,
    analysis: Analysis,
    column_of: Any,
) -> None:
    """Match the parsed rows to the workers of `area`, check logins and repeats."""
    here = Worker.objects.filter(subtree_q([area.path], "area__path"))
    wanted: dict[str, str] = {}
    for _row, parsed_row, _area in parsed:
        if parsed_row.phone:
            for candidate in phone_lookups(parsed_row.phone):
                wanted[candidate] = parsed_row.phone
    by_phone: dict[str, tuple[str, int | None]] = {}
    if wanted:
        for pk, index, user_id in here.filter(phone_index__in=list(wanted)).values_list(
            "pk", "phone_index", "user_id"
        ):
            by_phone.setdefault(wanted[index], (str(pk), user_id))
    by_name: dict[tuple[str, int], tuple[str, int | None]] = {}
    names = {parsed_row.name for _row, parsed_row, _area in parsed if not parsed_row.phone}
    if names:
        for pk, name, area_id, user_id in (
            here.filter(name__in=names, phone_index__isnull=True)
            .order_by("created_at")
            .values_list("pk", "name", "area_id", "user_id")
        ):
            by_name.setdefault((name, area_id), (str(pk), user_id))
    usernames = {p.username for _row, p, _area in parsed if p.username}
    logins: dict[str, tuple[int, str | None]] = {}
    if usernames:
        users = logins_in_scope(acting_user).filter(username__in=usernames)
        linked = dict(Worker.objects.filter(Q(user__in=users)).values_list("user_id", "pk"))
        logins = {u.username: (u.pk, str(linked[u.pk]) if u.pk in linked else None) for u in users}
    seen: dict[Any, int] = {}
    seen_logins: dict[str, int] = {}
    for row, parsed_row, area_id in parsed:
        identity: Any = parsed_row.phone or (parsed_row.name, area_id)
        first = seen.get(identity)
        if first is not None:
            analysis.problems.append(
                RowProblem(
                    row.number,
                    column_of("phone" if parsed_row.phone else "name"),
                    _("The same person as on row %(row)d.") % {"row": first},
                )
            )
            continue
        match = by_phone.get(parsed_row.phone) if parsed_row.phone else by_name.get(identity)
        existing = match[0] if match else None
        if parsed_row.username:
            login = logins.get(parsed_row.username)
            other_row = seen_logins.get(parsed_row.username)
            problem = ""
            if login is None:
                problem = _("No such account in your areas.")
            elif login[1] is not None and login[1] != existing:
                problem = _("This account is already linked to another worker.")
            elif other_row is not None:
                problem = _("The same account as on row %(row)d.") % {"row": other_row}
            if problem:
                analysis.problems.append(RowProblem(row.number, column_of("username"), problem))
                continue
            seen_logins[parsed_row.username] = row.number
        seen[identity] = row.number
        data = WorkerData(
            name=parsed_row.name,
            kind=parsed_row.kind,
            area_id=area_id,
            sent_from=parsed_row.sent_from,
            committee=parsed_row.committee,
            party_member=parsed_row.party_member,
            sent_down=parsed_row.sent_down,
            unit=parsed_row.unit,
            phone=parsed_row.phone,
        )
        analysis.rows.append(ImportRow(row.number, data, parsed_row.username, existing))


# Checked lists wait for their uploader's choice, encrypted (they hold phones), a day at most.
STAGING = Staging(purpose="workers", folder="workers")


def keep(analysis: Analysis, user_id: int) -> str:
    """Keep a checked list for its uploader; the token that names it."""
    return STAGING.keep(analysis.to_json(), owner=user_id)


def load(token: str, user_id: int) -> Analysis | None:
    """The checked list, if it is still there and this user uploaded it."""
    payload = STAGING.fetch(token, owner=user_id)
    return None if payload is None else Analysis.from_json(payload)


def discard(token: str) -> None:
    STAGING.delete(token)


def template_xlsx() -> bytes:
    """An empty workforce list with the recognised header and a line on how to fill it."""
    book = WorkbookBuilder()
    book.add_sheet(
        "工作力量名单",
        [Column(name, 14) for name in TEMPLATE_HEADER],
        preamble=[
            [
                "类别：驻守干部、街道工作人员、社区工作人员、网格长、网格员、医务人员、民警、"
                "委员会委员、物业人员、业委会成员、退役军人、志愿者；派出层级：市级、区级、街道；"
                "委员会：社工委、公卫委、爱卫会；所在区域：区划代码或名称路径（如 社区/网格），"
                "留空为导入时选择的区域。"
            ]
        ],
    )
    return book.to_bytes()
