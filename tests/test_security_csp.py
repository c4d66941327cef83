"""The pages satisfy the Content-Security-Policy they are sent with.

Every GET page of the permission matrix is rendered as alice (community staff) with its
in-scope object (or, when she may not open it, as the district's administrator), and its
HTML is parsed: no inline <script> (a <script> with a src, or a
JSON data block, is fine), no on*= event handler attributes, no style= attributes, no
<style> elements and no javascript: URLs — the CSP (script-src 'self'; style-src 'self')
would block every one of them in the browser.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client

from wangge.accounts.tests.permission_matrix import (
    _url,
    build_world,
    collect_cases,
    expected,
    iter_url_entries,
    targets_of,
)
from wangge.core.middleware import CONTENT_SECURITY_POLICY
from wangge.core.permissions import Role

CASES = collect_cases()
ENTRIES = list(iter_url_entries())
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline_script = False
        self._script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value or "" for name, value in attrs}
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style attribute")
            if name in ("href", "src", "action") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            kind = names.get("type", "").lower()
            self._in_inline_script = "src" not in names and kind not in DATA_SCRIPT_TYPES
            self._script_text = ""

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self._script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_inline_script:
            self.problems.append(f"inline <script>: {self._script_text.strip()[:60]!r}")
            self._in_inline_script = False


def problems_in(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def test_the_checker_finds_what_the_csp_blocks():
    html = (
        '<script>alert(1)</script><script src="/static/x.js"></script>'
        '<script type="application/json">{"a": 1}</script>'
        '<button onclick="go()">x</button><p style="color:red">x</p><style>p{}</style>'
        '<a href="javascript:void(0)">x</a>'
    )
    assert len(problems_in(html)) == 5


# Pages, not the JSON API (its routes are for device tokens, and answer JSON).
GET_CASES = [case for case in CASES if case.method == "GET" and not case.is_api]


@pytest.mark.parametrize("case", GET_CASES, ids=[case.label for case in GET_CASES])
def test_pages_have_no_inline_code(case, tree, other_tree, alice):
    """As alice; pages she may not open (user management, the audit log) as the district's
    administrator instead, so that every page is rendered by someone."""
    world = build_world(tree, other_tree)
    viewers = []
    for user in (alice, world.users[Role.ADMINISTRATOR]):
        client = Client()
        client.force_login(user)
        viewers.append(client)
    served = 0
    for entry in targets_of(case, CASES, ENTRIES):
        kwargs = case.kwargs(world) if case.kwargs else {}
        url = _url(entry.route, entry.key, kwargs, entry.params)
        for client in viewers:
            response = client.get(url, case.data(world) if case.data else {})
            if response.status_code == 200:
                break
        served += response.status_code == 200
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        assert not problems_in(response.content.decode()), url
        if not url.startswith("/admin/"):
            assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["X-Frame-Options"] == "DENY"
            assert response["Referrer-Policy"] == "same-origin"
            if not case.public:
                # A signed-in page may show personal data: no cache keeps it. Public pages
                # (the sign-in page, the station's shell that its service worker caches)
                # hold none.
                assert "no-store" in response["Cache-Control"]
    if not case.is_glob and (
        expected(case, Role.COMMUNITY_STAFF, foreign=False) == 200
        or expected(case, Role.ADMINISTRATOR, foreign=False) == 200
    ):
        # A page one of them may open was really served (and checked, if it is HTML).
        assert served, case.label
