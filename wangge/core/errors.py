"""Error reports that carry nothing personal.

Django's exception reporter (the DEBUG page, and the e-mail to ADMINS when configured) shows
POST data and the local variables of every frame. A frame holding a person's validated
details would show their ID number and phone there, so this filter masks every value
shaped like one, on top of Django's own hiding of passwords and keys.
"""

from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from wangge.core.logging import scrub


class _Masked:
    """A value shown in a report by its masked representation."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """SafeExceptionReporterFilter that also masks ID numbers and phones."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        parameters: Any = super().get_post_parameters(request)
        if not parameters or not isinstance(parameters, QueryDict):
            return parameters
        masked = parameters.copy()
        for key in masked:
            masked.setlist(key, [scrub(str(value)) for value in masked.getlist(key)])
        return masked

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, _Masked(scrub(repr(value)))) for name, value in variables]


class PersonalDataExceptionReporter(ExceptionReporter):
    """The exception report (DEBUG page, mail to ADMINS) with every number masked.

    The filter above masks POST data and locals; the exception's own message, the query
    string and the headers are shown by the report as they are, so the rendered report
    is masked as a whole as well.
    """

    # Masking swaps digits for asterisks: it cannot turn safe markup into unsafe markup.
    def get_traceback_html(self) -> SafeString:
        return mark_safe(scrub(super().get_traceback_html()))  # noqa: S308

    def get_traceback_text(self) -> SafeString:
        return mark_safe(scrub(super().get_traceback_text()))  # noqa: S308
