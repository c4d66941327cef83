"""Laboratory files: CSV (GBK or UTF-8) and Excel, Chinese result words, the row report."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.factories import UserFactory, grant, make_resident
from wangge.core.batch import ItemStatus
from wangge.core.permissions import Perm, Role
from wangge.lib.spreadsheets import SpreadsheetError
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import RecallStatus, TubeStatus
from wangge.testing.choices import TestResult as Result
from wangge.testing.lab_import import (
    check,
    load_pending,
    parse_ct,
    parse_result,
    parse_time,
    read_lab_file,
    save_pending,
)
from wangge.testing.models import LabResult, PositiveCase, Recall, Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube


@pytest.fixture(autouse=True)
def english(settings):
    """Pages are checked for English words: the zh-Hans catalogue is filled in later."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def lab(tree):
    return grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])


@pytest.fixture
def tubes(tree, alice):
    people = [make_resident(tree["grid_a"], f"人{i}", room=f"30{i}", phone="") for i in range(4)]
    round_ = make_round(tree["community"], user=alice)
    pool = make_tube(round_, tree["grid_a"], people[0], people[1], barcode="T0001")
    single = make_tube(round_, tree["grid_a"], people[2], capacity=1, barcode="T0002")
    other = make_tube(round_, tree["grid_a"], people[3], barcode="T0003")
    return {"round": round_, "pool": pool, "single": single, "other": other, "people": people}


GBK_CSV = (
    "七里河区疾控中心 核酸检测结果\n"
    "报告日期：2026-11-23\n"
    "序号,样本编号,检测结果,ORF1ab基因Ct值,N基因Ct值,检测时间\n"
    "1,T0001,阳性,31.5,30.2,2026-11-23 14:05\n"
    "2,T0002,阴性,,,2026/11/23 14:06\n"
    "3,T0003,无效,,,2026年11月23日 14:07\n"
    "4,T9999,阴性,,,2026-11-23 14:08\n"
    "5,T0002,阴性,,,2026-11-23 14:06\n"
    ",,,,,\n"
    "合计,5,,,,\n"
)


def test_gbk_csv_with_title_rows_and_chinese_words(tubes, lab):
    lab_file = read_lab_file(GBK_CSV.encode("gbk"), "结果.csv")
    assert [row.barcode for row in lab_file.rows] == ["T0001", "T0002", "T0003", "T9999", "T0002"]
    first = lab_file.rows[0].item
    assert first.result == Result.POSITIVE
    assert first.ct_values == {"ORF1ab": 31.5, "N": 30.2}
    assert timezone.localtime(first.tested_at).strftime("%Y-%m-%d %H:%M") == "2026-11-23 14:05"
    assert lab_file.rows[2].item.result == Result.INVALID
    report = check(lab_file, Tube.objects.visible_to(lab, Perm.LOAD_RESULTS))
    assert [(r.status, r.reason_code) for r in report.rows] == [
        (ItemStatus.ACCEPTED, ""),
        (ItemStatus.ACCEPTED, ""),
        (ItemStatus.ACCEPTED, ""),
        (ItemStatus.REJECTED, "unknown_barcode"),
        (ItemStatus.DUPLICATE, ""),
    ]
    assert not LabResult.objects.exists()  # checking writes nothing


def test_utf8_csv_with_english_headers(tubes):
    data = "barcode,result,tested at\nT0001,negative,2026-11-23T14:05:00+08:00\nT0002,Positive,\n"
    lab_file = read_lab_file(data.encode("utf-8-sig"), "r.csv")
    assert [row.item.result for row in lab_file.rows] == [Result.NEGATIVE, Result.POSITIVE]
    assert lab_file.rows[0].item.tested_at == dt.datetime(2026, 11, 23, 6, 5, tzinfo=dt.UTC)
    assert lab_file.rows[1].item.tested_at is None


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_with_numbers_dates_and_a_rounded_barcode():
    data = _xlsx(
        [
            ["核酸检测结果"],
            ["试管编号", "结果", "Ct值", "报告时间"],
            [12345678, "阴性", None, dt.datetime(2026, 11, 23, 14, 5)],
            ["T0002", "阳性", 28.25, dt.datetime(2026, 11, 23, 14, 6)],
            ["1.23457E+17", "阴性", None, None],
            ["T0004", "可疑", None, None],
            ["T0005", "阴性", "abc", None],
            ["T0006", "阴性", None, "昨天"],
            [None, "阴性", None, None],
        ]
    )
    lab_file = read_lab_file(data, "r.xlsx")
    rows = lab_file.rows
    assert rows[0].barcode == "12345678" and rows[0].item.result == Result.NEGATIVE
    assert rows[1].item.ct_values == {"Ct": 28.25}
    assert [row.error for row in rows[2:]] == [
        "barcode_as_number",
        "unknown_result",
        "bad_ct",
        "bad_time",
        "missing_barcode",
    ]
    assert all(row.item is None for row in rows[2:])


def test_a_file_without_barcode_and_result_columns_is_refused():
    with pytest.raises(SpreadsheetError):
        read_lab_file("姓名,电话\n张三,1\n".encode(), "x.csv")


def test_conflicting_result_is_reported_never_overwritten(tubes, lab):
    scoped = Tube.objects.visible_to(lab, Perm.LOAD_RESULTS)
    record_results([ResultItem("T0001", Result.NEGATIVE)], tubes=scoped, acting_user=lab)
    lab_file = read_lab_file("条码,结果\nT0001,阳性\nT0001,阴性\n".encode("gbk"), "r.csv")
    report = check(lab_file, scoped)
    assert [r.reason_code for r in report.rows] == ["conflicting_result", ""]
    assert report.rows[1].status == ItemStatus.DUPLICATE
    record_results(lab_file.items, tubes=scoped, acting_user=lab)
    assert Tube.objects.get(barcode="T0001").result == Result.NEGATIVE
    assert not Recall.objects.exists()


def test_pending_file_belongs_to_its_uploader(tubes, lab, alice, settings, tmp_path):
    settings.WANGGE_IMPORT_DIR = tmp_path
    lab_file = read_lab_file(GBK_CSV.encode("gbk"), "r.csv")
    token = save_pending(lab_file, lab.pk)
    assert load_pending(token, alice.pk) is None
    assert load_pending("../../etc/passwd", lab.pk) is None
    again = load_pending(token, lab.pk)
    assert [(r.barcode, r.item and r.item.ct_values) for r in again.rows] == [
        (r.barcode, r.item and r.item.ct_values) for r in lab_file.rows
    ]


def test_upload_check_and_import_valid_rows_through_the_page(
    client, tubes, lab, settings, tmp_path
):
    settings.WANGGE_IMPORT_DIR = tmp_path
    client.force_login(lab)
    upload = SimpleUploadedFile("结果.csv", GBK_CSV.encode("gbk"), content_type="text/csv")
    response = client.post("/testing/results/import/", {"file": upload})
    assert response.status_code == 302
    check_url = response.headers["Location"]
    page = client.get(check_url).content.decode()
    assert "T9999" in page and "No tube with this barcode" in page
    assert not LabResult.objects.exists()
    client.post(check_url, {"choice": "import"})
    assert LabResult.objects.count() == 3
    assert Recall.objects.filter(source_tube=tubes["pool"], status=RecallStatus.OPEN).count() == 2
    assert Recall.objects.filter(source_tube=tubes["other"]).count() == 1  # invalid pool
    assert Tube.objects.get(barcode="T0002").status == TubeStatus.RESULTED
    assert client.get(check_url).status_code == 404  # used up


def test_import_nothing_leaves_everything_as_it_was(client, tubes, lab, settings, tmp_path):
    settings.WANGGE_IMPORT_DIR = tmp_path
    client.force_login(lab)
    upload = SimpleUploadedFile("r.csv", GBK_CSV.encode("gbk"))
    check_url = client.post("/testing/results/import/", {"file": upload}).headers["Location"]
    client.post(check_url, {"choice": "nothing"})
    assert not LabResult.objects.exists() and not Recall.objects.exists()


def test_someone_else_cannot_use_my_upload(client, tubes, lab, settings, tmp_path, charlie):
    settings.WANGGE_IMPORT_DIR = tmp_path
    client.force_login(lab)
    upload = SimpleUploadedFile("r.csv", GBK_CSV.encode("gbk"))
    check_url = client.post("/testing/results/import/", {"file": upload}).headers["Location"]
    other_lab = grant(
        UserFactory(username="lab2"), Role.LAB_LIAISON, charlie.role_assignments.first().area
    )
    client.force_login(other_lab)
    assert client.get(check_url).status_code == 404
    assert client.post(check_url, {"choice": "import"}).status_code == 404


def test_out_of_scope_lab_sees_unknown_barcodes(
    client, tubes, charlie, other_tree, settings, tmp_path
):
    settings.WANGGE_IMPORT_DIR = tmp_path
    far_lab = grant(UserFactory(username="far"), Role.LAB_LIAISON, other_tree["district"])
    lab_file = read_lab_file(GBK_CSV.encode("gbk"), "r.csv")
    report = check(lab_file, Tube.objects.visible_to(far_lab, Perm.LOAD_RESULTS))
    assert {r.reason_code for r in report.rows} == {"unknown_barcode"}
    client.force_login(charlie)
    assert client.get("/testing/results/import/").status_code == 404


def test_command_dry_runs_then_applies(tubes, tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_bytes(GBK_CSV.encode("gbk"))
    call_command("import_lab_results", str(path))
    out = capsys.readouterr().out
    assert "3 new" in out and "T9999" in out and "Dry run" in out
    assert not LabResult.objects.exists()
    call_command("import_lab_results", str(path), "--apply")
    assert LabResult.objects.count() == 3
    assert "3 people to recall" in capsys.readouterr().out
    assert Recall.objects.count() == 3
    call_command("import_lab_results", str(path), "--apply")
    assert LabResult.objects.count() == 3 and Recall.objects.count() == 3


def test_command_refuses_an_unreadable_file(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(CommandError):
        call_command("import_lab_results", str(path))


def test_a_positive_single_tube_in_a_file_opens_a_case(tubes, lab):
    lab_file = read_lab_file("条码,结果\nT0002,阳性\n".encode(), "r.csv")
    record_results(
        lab_file.items, tubes=Tube.objects.visible_to(lab, Perm.LOAD_RESULTS), acting_user=lab
    )
    assert PositiveCase.objects.get().resident == tubes["people"][2]


WORDS = {
    "阴性": Result.NEGATIVE,
    " 阴性 ": Result.NEGATIVE,
    "Negative": Result.NEGATIVE,
    "NEG": Result.NEGATIVE,
    "阳性": Result.POSITIVE,
    "positive": Result.POSITIVE,
    "阳性(+)": Result.POSITIVE,
    "（+）": Result.POSITIVE,
    "无效": Result.INVALID,
    "Invalid": Result.INVALID,
    "样本不合格": Result.INVALID,
}


@pytest.mark.parametrize(("word", "expected"), WORDS.items())
def test_result_words(word, expected):
    assert parse_result(word) == expected


@given(st.text(max_size=12))
def test_parse_result_never_guesses(text):
    result = parse_result(text)
    assert result is None or result in Result.values
    if result is not None:
        assert any(ch.isalpha() or ch in "+-−()（）" for ch in text)


@given(st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=10), st.integers()))
def test_parse_ct_is_a_number_between_0_and_60_or_refused(value):
    try:
        parsed = parse_ct(value)
    except ValueError:
        return
    assert parsed is None or 0 <= parsed <= 60


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_parse_time_reads_its_own_formats_back(moment):
    moment = moment.replace(second=0, microsecond=0)
    for text in (
        moment.strftime("%Y-%m-%d %H:%M"),
        moment.strftime("%Y/%m/%d %H:%M"),
        moment.strftime("%Y年%m月%d日 %H:%M"),
    ):
        assert timezone.localtime(parse_time(text)).replace(tzinfo=None) == moment
