"""Nothing personal in logs or error pages."""

import io
import logging
import sys

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.views.debug import get_exception_reporter_class

from tests.factories import id_number
from wangge.core.logging import PersonalDataFilter, scrub

ID = "62010319800517123X"
PHONE = "13912345678"


def _broken_view(request: HttpRequest) -> HttpResponse:
    number = request.POST.get("id_number", "")  # noqa: F841 - a local the report could show
    raise ValueError(
        f"cannot register {request.POST.get('id_number')} / {request.POST.get('phone')}"
    )


urlpatterns = [path("broken/", _broken_view)]


def _logger_with_filter():
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("wangge.test.personal")
    logger.handlers, logger.propagate = [handler], False
    return logger, buffer


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        (f"lookup {ID}", ID),
        (f"lookup {ID.lower()}", ID.lower()),
        ("card 620103 19800517 123X", "19800517"),
        (f"GET /residents/?q={ID} HTTP/1.1", ID),
        (f"phone {PHONE}", PHONE),
        ("phone 139-1234-5678", "1234-5678"),
        ("q=139%201234%205678", "1234%205678"),
        ("landline 0931-8123456", "8123456"),
    ],
)
def test_scrub_masks_numbers(text, hidden):
    assert hidden not in scrub(text)


def test_scrub_keeps_what_is_not_a_number():
    text = "resident 12345 at 2026-11-23 18:21:34,123 took 0.25 s"
    assert scrub(text) == text


def test_filter_masks_messages_arguments_and_tracebacks():
    logger, buffer = _logger_with_filter()
    number = id_number()
    logger.warning("duplicate %s with phone %s", number, PHONE)
    try:
        raise ValueError(f"bad row {number} {PHONE}")
    except ValueError:
        logger.exception("import failed")
    logger.warning("stack", stack_info=True, extra={"n": number})
    output = buffer.getvalue()
    assert number not in output and PHONE not in output
    assert number[:4] + "*" * 10 + number[-4:] in output
    assert "139****5678" in output
    assert "Traceback" in output and "ValueError: bad row" in output


def _configured_handlers(*logger_names: str) -> set[logging.Handler]:
    """The handlers settings.LOGGING made (dictConfig names them), not pytest's own."""
    return {
        handler
        for name in logger_names
        for handler in logging.getLogger(name).handlers
        if handler.get_name()
    }


def test_every_configured_handler_masks():
    handlers = _configured_handlers("", "django", "django.request", "django.server")
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), handler


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_and_logs_nothing_personal():
    handlers = _configured_handlers("", "django", "django.request")
    buffer = io.StringIO()
    saved = {handler: handler.setStream(buffer) for handler in handlers}
    try:
        client = Client(raise_request_exception=False)
        response = client.post("/broken/", {"id_number": ID, "phone": PHONE, "note": "secret-note"})
    finally:
        for handler, stream in saved.items():
            handler.setStream(stream or sys.stderr)
    assert response.status_code == 500
    page = response.content.decode()
    assert ID not in page and PHONE not in page and "broken" not in page
    logged = buffer.getvalue()
    assert "Internal Server Error: /broken/" in logged
    assert ID not in logged and PHONE not in logged
    assert "6201**********123X" in logged
    # The request's body is never written to the log.
    assert "secret-note" not in logged


def test_error_reports_mask_post_data_and_locals(rf):
    request = rf.post("/broken/", {"id_number": ID, "phone": PHONE})
    try:
        _broken_view(request)
    except ValueError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    text = reporter.get_traceback_text()
    html = reporter.get_traceback_html()
    for report in (text, html):
        assert ID not in report and PHONE not in report


def test_not_found_page_shows_nothing_from_the_request(client, alice):
    client.force_login(alice)
    response = client.get(f"/residents/999999/?q={ID}")
    assert response.status_code == 404
    body = response.content.decode()
    assert ID not in body and "999999" not in body


def test_forbidden_page_shows_nothing_from_the_request(client, alice):
    client.force_login(alice)
    response = client.get(f"/accounts/users/?q={ID}")
    assert response.status_code == 403
    assert ID not in response.content.decode()
