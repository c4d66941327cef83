"""Laboratory result files (import, check) and alarms for results no tube has."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.models import User
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.lib.spreadsheets import SpreadsheetError
from wangge.testing import lab_import
from wangge.testing.actions import alarms as alarm_actions
from wangge.testing.actions import results as result_actions
from wangge.testing.actions.results import RECALL_RESULTS
from wangge.testing.choices import ResultSource
from wangge.testing.errors import RoundError
from wangge.testing.forms import LabUploadForm
from wangge.testing.models import Tube, UnknownResult
from wangge.testing.selectors import results_area
from wangge.testing.views.navigation import unknown_result_alerts


def _result_tubes(request: AuthedRequest) -> QuerySet[Tube]:
    tubes: QuerySet[Tube] = Tube.objects.visible_to(request.user, Perm.LOAD_RESULTS)
    return tubes


@login_required
@require_http_methods(["GET", "POST"])
def results_import(request: AuthedRequest) -> HttpResponse:
    """Upload the laboratory's export; nothing is stored until the person chooses."""
    if not request.user.has_any_area_permission(Perm.LOAD_RESULTS):
        raise Http404
    form = LabUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lab_file = lab_import.read_lab_file(upload.read(), upload.name or "")
        except SpreadsheetError as exc:
            form.add_error("file", _spreadsheet_message(exc))
        else:
            if not lab_file.rows:
                form.add_error("file", _("The file has no rows below its header."))
            else:
                token = lab_import.save_pending(lab_file, request.user.pk)
                return redirect("testing:results_check", token=token)
    return render(
        request,
        "testing/results_import.html",
        {"form": form, "alerts": unknown_result_alerts(request)},
    )


# What a laboratory's sheet needs; every other reason is the reader's own (translated).
SPREADSHEET_ERRORS = {
    "no_header": _(
        "No header row found: the sheet needs a barcode column (条码, 样本编号 …) "
        "and a result column (结果, 检测结果 …)."
    ),
}


def _reason_text(code: str) -> str:
    text = result_actions.REASONS.get(code) or lab_import.ERRORS.get(code)
    return str(text) if text is not None else code


def _alarm_message(alarms: list[UnknownResult]) -> str:
    return str(
        _(
            "Alarm: %(count)d positive or invalid results name barcodes that no tube in your "
            "areas has (%(barcodes)s). They are kept as alarms on the command centre's pages "
            "until someone finds the tubes."
        )
        % {"count": len(alarms), "barcodes": ", ".join(alarm.barcode for alarm in alarms[:20])}
    )


def _spreadsheet_message(exc: SpreadsheetError) -> str:
    return str(SPREADSHEET_ERRORS.get(exc.code, exc))


@login_required
@require_http_methods(["GET", "POST"])
def results_check(request: AuthedRequest, token: str) -> HttpResponse:
    """The row-level report of an uploaded file; import its valid rows, or nothing."""
    if not request.user.has_any_area_permission(Perm.LOAD_RESULTS):
        raise Http404
    lab_file = lab_import.load_pending(token, request.user.pk)
    if lab_file is None:
        raise Http404
    if request.method == "POST":
        if params.choice(request.POST, "choice", ["import"], "") != "import":
            lab_import.discard_pending(token)
            messages.info(request, _("Nothing was imported."))
            return redirect("testing:results_import")
        report, alarms = alarm_actions.record_results_with_alarms(
            lab_file.items,
            tubes=_result_tubes(request),
            source=ResultSource.IMPORT,
            area=results_area(request.user),
            acting_user=actor_for(request),
        )
        lab_import.discard_pending(token)
        if alarms:
            messages.error(request, _alarm_message(alarms))
        messages.success(
            request,
            _(
                "%(accepted)d results imported, %(duplicates)d unchanged, %(rejected)d not "
                "imported; %(recalls)d people to recall, %(cases)d positive cases."
            )
            % {
                "accepted": report.accepted,
                "duplicates": report.duplicates,
                "rejected": report.rejected,
                "recalls": report.recalls_opened,
                "cases": report.cases_opened,
            },
        )
        return redirect("testing:results_import")
    checked = lab_import.check(lab_file, _result_tubes(request))
    problems = checked.problems
    return render(
        request,
        "testing/results_check.html",
        {
            "unknown_alarming": [
                row.row
                for row in problems
                if row.reason_code == "unknown_barcode"
                and row.row.item is not None
                and row.row.item.result in RECALL_RESULTS
            ],
            "token": token,
            "lab_file": lab_file,
            "report": checked,
            "problems": problems[:1000],
            "more_problems": max(len(problems) - 1000, 0),
            "reasons": sorted(
                ((_reason_text(code), n) for code, n in checked.by_reason().items()),
                key=lambda item: -item[1],
            ),
        },
    )


# --- alarms: results for barcodes no tube has ---------------------------------------------

ALARMS_SHOWN = 200


@login_required
@require_GET
def unknown_results(request: AuthedRequest) -> HttpResponse:
    """Open alarms for positive or invalid results that reached no tube, and the last ones
    closed, in the user's areas; those who load results or manage rounds close them."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_TESTING):
        raise Http404
    visible = UnknownResult.objects.visible_to(user, Perm.VIEW_TESTING).select_related(
        "area", "reported_by", "resolved_by"
    )
    open_alarms = list(visible.filter(resolved_at__isnull=True).order_by("-reported_at", "-pk"))
    closed = list(visible.filter(resolved_at__isnull=False).order_by("-resolved_at", "-pk")[:50])
    resolvable = {alarm.pk for alarm in open_alarms[:ALARMS_SHOWN] if _may_resolve(user, alarm)}
    return render(
        request,
        "testing/unknown_results.html",
        {
            "open_alarms": open_alarms[:ALARMS_SHOWN],
            "more": max(len(open_alarms) - ALARMS_SHOWN, 0),
            "closed": closed,
            "resolvable": resolvable,
        },
    )


def _may_resolve(user: User, alarm: UnknownResult) -> bool:
    if alarm.area is None:
        return user.is_superuser
    held = user.permissions_at(alarm.area)
    return Perm.LOAD_RESULTS in held or Perm.MANAGE_ROUNDS in held


@login_required
@require_POST
def unknown_result_resolve(request: AuthedRequest, alarm_pk: int) -> HttpResponse:
    alarm: UnknownResult = get_visible_or_404(
        UnknownResult.objects.select_related("area"), request.user, Perm.VIEW_TESTING, pk=alarm_pk
    )
    if not _may_resolve(request.user, alarm):
        raise Http404
    try:
        alarm_actions.resolve_unknown_result(
            alarm,
            note=params.text(request.POST, "note", max_length=alarm_actions.NOTE_MAX),
            acting_user=actor_for(request),
        )
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The alarm is closed."))
    return redirect("testing:unknown_results")
