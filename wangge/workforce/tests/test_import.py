import dataclasses
import io

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.workforce import importing
from wangge.workforce.actions import workers as actions
from wangge.workforce.choices import Committee, SentFrom, WorkerKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.models import Worker
from wangge.workforce.tests.factories import make_worker

HEADER = [
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
]


def _xlsx(rows, header=HEADER, title="七里河区西园社区工作力量名单"):
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _good_rows(tree):
    return [
        ["王驻守", "驻守干部", "区级", "", "是", "", "区卫健局", "13912345678", "一号小区", ""],
        ["李社工", "社区工作人员", "", "", "否", "否", "西园社区", "13800001111", "", "lishe"],
        ["张委员", "委员会委员", "", "公卫委", "党员", "否", "", "", "西园社区/二号小区", ""],
        [
            "赵老兵",
            "退役军人",
            "",
            "",
            "群众",
            "否",
            "",
            "13700002222",
            tree["grid_b"].code or "二号小区",
            "",
        ],
        ["钱志愿", "志愿者", "", "", "", "", "", "", "西园街道/西园社区/一号小区", ""],
    ]


def _analyse(data, area, user):
    return importing.analyse(data, "名单.xlsx", area, acting_user=user)


def test_a_good_list_is_read_with_chinese_labels_and_areas_by_path(tree, alice):
    login = grant(UserFactory(username="lishe"), Role.COMMUNITY_STAFF, tree["community"])
    analysis = _analyse(_xlsx(_good_rows(tree)), tree["community"], alice)
    assert analysis.problems == []
    assert analysis.rows_total == 5 and analysis.new == 5
    by_name = {row.data.name: row for row in analysis.rows}
    cadre = by_name["王驻守"].data
    assert cadre.kind == WorkerKind.STATIONED_CADRE and cadre.sent_from == SentFrom.DISTRICT
    assert cadre.party_member and cadre.sent_down  # a stationed cadre is sent down
    assert cadre.area_id == tree["grid_a"].pk
    member = by_name["张委员"].data
    assert member.committee == Committee.PUBLIC_HEALTH and member.party_member
    assert member.area_id == tree["grid_b"].pk
    assert by_name["李社工"].data.area_id == tree["community"].pk
    assert by_name["钱志愿"].data.area_id == tree["grid_a"].pk
    done = actions.apply_import(analysis.rows, tree["community"], acting_user=alice)
    assert (done.created, done.updated) == (5, 0)
    assert Worker.objects.get(name="李社工").user == login
    assert Worker.objects.get(name="王驻守").reveal_phone() == "13912345678"
    entry = AuditEntry.objects.get(action=AuditEvent.WORKERS_IMPORT)
    assert entry.details == {"created": 5, "updated": 0, "unchanged": 0}
    assert "13912345678" not in str(entry.details)


def test_importing_the_same_list_twice_changes_nothing(tree, alice):
    data = _xlsx(_good_rows(tree)[:1] + _good_rows(tree)[2:])
    actions.apply_import(
        _analyse(data, tree["community"], alice).rows, tree["community"], acting_user=alice
    )
    again = _analyse(data, tree["community"], alice)
    assert again.new == 0 and again.updates == 4
    done = actions.apply_import(again.rows, tree["community"], acting_user=alice)
    assert (done.created, done.updated, done.unchanged) == (0, 0, 4)
    assert Worker.objects.count() == 4


def test_a_row_matching_a_worker_by_phone_updates_them(tree, alice):
    worker = make_worker(tree["grid_a"], "王驻守", kind=WorkerKind.VOLUNTEER, phone="13912345678")
    analysis = _analyse(_xlsx(_good_rows(tree)[:1]), tree["community"], alice)
    assert analysis.rows[0].existing == str(worker.pk)
    actions.apply_import(analysis.rows, tree["community"], acting_user=alice)
    worker.refresh_from_db()
    assert worker.kind == WorkerKind.STATIONED_CADRE and worker.unit == "区卫健局"


def test_bad_rows_are_reported_one_by_one_and_the_good_ones_kept(tree, other_tree, alice):
    grant(UserFactory(username="far"), Role.GRID_MEMBER, other_tree["grid_a"])
    rows = [
        ["好人", "网格员", "", "", "是", "", "", "13900000001", "一号小区", ""],
        ["", "网格员", "", "", "", "", "", "", "", ""],
        ["怪类", "魔法师", "", "", "", "", "", "", "", ""],
        ["错号", "志愿者", "", "", "", "", "", "12345", "", ""],
        ["错区", "志愿者", "", "", "", "", "", "", "火星小区", ""],
        ["错层", "驻守干部", "省级", "", "", "", "", "", "", ""],
        ["错是", "志愿者", "", "", "也许", "", "", "", "", ""],
        ["重号", "志愿者", "", "", "", "", "", "13900000001", "", ""],
        ["外号", "志愿者", "", "", "", "", "", "", "", "far"],
    ]
    analysis = _analyse(_xlsx(rows), tree["community"], alice)
    assert [row.data.name for row in analysis.rows] == ["好人"]
    problems = {problem.row: problem.column for problem in analysis.problems}
    # Row 1 is the title, row 2 the header: the data starts on row 3.
    assert problems == {
        4: "姓名",
        5: "类别",
        6: "联系电话",
        7: "所在区域",
        8: "派出层级",
        9: "是否党员",
        10: "联系电话",
        11: "登录账号",
    }


def test_an_area_named_twice_needs_its_path(tree):
    from tests.factories import make_area
    from wangge.areas.choices import AreaKind

    street_staff = grant(UserFactory(username="street"), Role.STREET_STAFF, tree["street"])
    make_area("一号小区", AreaKind.BUILDING, tree["grid_b"])  # a building is no worker's base
    east = make_area("东园社区", AreaKind.COMMUNITY, tree["street"])
    east_grid = make_area("一号小区", AreaKind.COMPOUND, east)
    rows = [
        ["甲", "志愿者", "", "", "", "", "", "", "一号小区", ""],
        ["乙", "志愿者", "", "", "", "", "", "", "东园社区/一号小区", ""],
        ["丙", "志愿者", "", "", "", "", "", "", "东园社区 / 一号小区", ""],
    ]
    analysis = _analyse(_xlsx(rows), tree["street"], street_staff)
    assert [problem.row for problem in analysis.problems] == [3]
    assert [row.data.area_id for row in analysis.rows] == [east_grid.pk, east_grid.pk]


def test_nothing_is_written_when_a_row_fails_on_apply(tree, alice):
    rows = _good_rows(tree)
    analysis = _analyse(_xlsx(rows[:1] + rows[2:]), tree["community"], alice)
    # The last row's area has left the chosen area since the check: the whole apply fails.
    last = analysis.rows[-1]
    moved = dataclasses.replace(last.data, area_id=other_area(tree).pk)
    broken = [*analysis.rows[:-1], dataclasses.replace(last, data=moved)]
    with pytest.raises(WorkforceError):
        actions.apply_import(broken, tree["community"], acting_user=alice)
    assert not Worker.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEvent.WORKERS_IMPORT).exists()


def other_area(tree):
    from tests.factories import make_area
    from wangge.areas.choices import AreaKind

    return make_area("东园社区", AreaKind.COMMUNITY, tree["street"])


def test_the_import_pages_check_report_and_apply(
    client, tree, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert client.get(reverse("workforce:import")).status_code == 200
    template = client.get(reverse("workforce:import_template"))
    assert template.status_code == 200
    rows = _good_rows(tree)[:1] + [["怪类", "魔法师", "", "", "", "", "", "", "", ""]]
    upload = io.BytesIO(_xlsx(rows))
    upload.name = "名单.xlsx"
    response = client.post(
        reverse("workforce:import"), {"area": tree["community"].pk, "file": upload}
    )
    assert response.status_code == 302
    report = client.get(response.url).content.decode()
    assert str(_("Unknown kind of worker.")) in report
    assert "类别" in report  # the column at fault, in the sheet's own words
    assert not Worker.objects.exists()  # nothing before the choice
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"choice": "import"})
    assert list(Worker.objects.values_list("name", flat=True)) == ["王驻守"]
    assert client.get(response.url).status_code == 404  # the checked list is gone


def test_the_template_sheet_is_read_back_by_the_import(tree, alice):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(importing.template_xlsx()))
    sheet = book.active
    sheet.append(["模板人", "网格长", "", "", "否", "否", "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    analysis = _analyse(buffer.getvalue(), tree["grid_a"], alice)
    assert analysis.problems == [] and analysis.rows[0].data.kind == WorkerKind.GRID_LEADER


def test_another_users_checked_list_does_not_exist_for_them(client, tree, alice):
    analysis = _analyse(_xlsx(_good_rows(tree)[:1]), tree["community"], alice)
    token = importing.keep(analysis, alice.pk)
    other = grant(UserFactory(username="colleague"), Role.COMMUNITY_STAFF, tree["community"])
    client.force_login(other)
    assert client.get(reverse("workforce:import_check", args=[token])).status_code == 404
    assert (
        client.post(
            reverse("workforce:import_check", args=[token]), {"choice": "import"}
        ).status_code
        == 404
    )
    assert not Worker.objects.exists()


# --- the row parser ---------------------------------------------------------------------

KIND_LABELS = {
    "驻守干部": WorkerKind.STATIONED_CADRE,
    "社区工作人员": WorkerKind.COMMUNITY_STAFF,
    "网格长": WorkerKind.GRID_LEADER,
    "网格员": WorkerKind.GRID_MEMBER,
    "志愿者": WorkerKind.VOLUNTEER,
    "退役军人": WorkerKind.VETERAN,
    "volunteer": WorkerKind.VOLUNTEER,
}
FLAGS = {"是": True, "否": False, "": False, "yes": True, "No": False, "√": True}
cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.dates(),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(importing.WORKER_COLUMNS)), cells))
def test_the_row_parser_reads_a_row_or_names_the_field_at_fault(row):
    try:
        parsed = importing.parse_row(row)
    except WorkforceError as exc:
        assert exc.field in importing.WORKER_COLUMNS
        assert exc.message
    else:
        assert parsed.kind in WorkerKind.values
        assert parsed.name and len(parsed.name) <= 50
        assert parsed.sent_from in ("", *SentFrom.values)


@settings(max_examples=200, deadline=None)
@given(
    name=st.text(alphabet="王李张赵钱孙 ·", min_size=1, max_size=10).filter(lambda s: s.strip(" ")),
    kind=st.sampled_from(sorted(KIND_LABELS)),
    party=st.sampled_from(sorted(FLAGS)),
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    spaced=st.booleans(),
)
def test_a_valid_row_parses_to_its_values(name, kind, party, phone, spaced):
    written = f"{phone[:3]} {phone[3:7]} {phone[7:]}" if spaced else int(phone)
    parsed = importing.parse_row(
        {"name": name, "kind": f" {kind} ", "party_member": party, "phone": written}
    )
    assert parsed.kind == KIND_LABELS[kind]
    assert parsed.party_member is FLAGS[party]
    assert parsed.phone == phone
    assert parsed.name == " ".join(name.split())
    assert parsed.sent_down is (KIND_LABELS[kind] == WorkerKind.STATIONED_CADRE)
