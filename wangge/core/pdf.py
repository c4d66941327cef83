"""Printable PDFs: the one renderer every app's printouts go through.

WeasyPrint lays a template out on A4 pages. Every printout takes the shared print sheet
(static/core/print.css: the CJK font, A4, page numbers) and then its own sheets. Nothing is
fetched from the network: deployments on isolated networks must print the same, and a
template must never make the server call out. A printout may use data: URIs (QR codes)
and the project's own static files, nothing else.
"""

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

PDF_CONTENT_TYPE = "application/pdf"
PRINT_CSS = "core/print.css"


def render_pdf(
    template: str, context: Mapping[str, Any], *, stylesheets: Sequence[str] = ()
) -> bytes:
    """The template rendered as a PDF, with the print sheet and then `stylesheets` (static
    paths, e.g. "residents/register_print.css")."""
    from weasyprint import CSS, HTML  # slow to import: loaded when a PDF is asked for

    html = render_to_string(template, dict(context))
    sheets = [CSS(filename=_static_file(name)) for name in (PRINT_CSS, *stylesheets)]
    document = HTML(string=html, base_url=_static_root().as_uri() + "/", url_fetcher=_fetcher())
    pdf: bytes = document.write_pdf(stylesheets=sheets)
    return pdf


def _static_root() -> Path:
    return Path(settings.BASE_DIR) / "wangge" / "static"


def _static_file(name: str) -> str:
    found = finders.find(name)
    if not isinstance(found, str):
        raise ImproperlyConfigured(f"print stylesheet {name} not found")
    return found


def may_load(url: str) -> bool:
    """Whether a printout may load `url`: a data: URI or a file below the static folder."""
    return url.startswith("data:") or (
        url.startswith(_static_root().as_uri() + "/") and ".." not in url
    )


@cache
def _fetcher() -> Any:
    """WeasyPrint's fetcher, held to what `may_load` allows."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not may_load(url):
                raise ValueError(f"a printout may not load {url[:80]}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=("data", "file"))
