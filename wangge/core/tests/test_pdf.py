"""The one PDF renderer (wangge/core/pdf.py): printouts take the shared print sheet and
never load anything from the network."""

import io

import pytest
from pypdf import PdfReader

from wangge.core import pdf


@pytest.fixture
def probe_template(settings, tmp_path):
    (tmp_path / "probe.html").write_text(
        "<!doctype html><html><body><p>户口底册 {{ name }}</p>"
        '<img src="http://203.0.113.9/tracker.png"><img src="{{ qr }}"></body></html>',
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    return "probe.html"


PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_a_printout_renders_chinese_and_loads_only_local_resources(probe_template, monkeypatch):
    from weasyprint.urls import URLFetcher

    fetched: list[str] = []
    real = URLFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url)
        return real(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", recording)
    data = pdf.render_pdf(probe_template, {"name": "七里河", "qr": PIXEL})

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "户口底册 七里河" in text
    assert any(url.startswith("data:") for url in fetched)
    assert not [url for url in fetched if url.startswith("http")]


def test_a_printout_may_load_data_and_static_files_only():
    static = pdf._static_root().as_uri()
    assert pdf.may_load(PIXEL)
    assert pdf.may_load(static + "/core/print.css")
    assert not pdf.may_load("http://203.0.113.9/x.png")
    assert not pdf.may_load("file:///etc/passwd")
    assert not pdf.may_load(static + "/../settings.py")
