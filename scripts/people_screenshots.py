"""Screenshots of the workforce, dispatch and incident pages (issue 11) of the demo logins, on
a phone (390 px) and a PC (1280 px), in Chinese, from a running demo: `make demo PORT=8110`, then

    .venv/bin/python scripts/people_screenshots.py http://127.0.0.1:8110 docs/screenshots/people

Files are named phone-LOGIN-PAGE.png and pc-LOGIN-PAGE.png. To keep the set small (about 60),
each shared page (lists, a worker, a team, chains, a board, an incident) is taken once, by the
first login of LOGIN_ORDER in its TAKEN_BY list that may see it (the board: no demo login
leads a team, so a grid leader's if any, else the community's); the key
logins' own pages (workbench, their tasks and incidents, the report form) on a phone, their
workbench and tasks on a PC too; the other logins' tasks on a phone. Pages a login may not see
(403/404) are printed, not taken.
Each capture is at most three screens long. It also prints the pages that overflow sideways
and the Latin words left on a page (English leftovers, raw codes).
"""

import re
import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1280, "height": 800}}
LOGIN_ORDER = ["gridleader", "command", "community", "cadre"]
OWN = {"home", "dispatch-mine", "incidents-mine", "incident-report"}
OWN_ON_PC = {"home", "dispatch-mine"}
OTHERS_OWN = {"dispatch-mine"}
_LOCAL = ["community", "cadre"]
_WIDE = ["command", "community"]
_CHAIN = ["gridleader", "community", "command"]
TAKEN_BY = {
    "workers": _LOCAL,
    "worker": _LOCAL,
    "teams": _LOCAL,
    "team": _LOCAL,
    "summary": _WIDE,
    "chains": _CHAIN,
    "chain-area": _CHAIN,
    "chain-household": _CHAIN,
    "dispatch": _WIDE,
    "board": ["gridleader", "community"],
    "incidents": _LOCAL,
    "incident": _LOCAL,
    "incident-figures": _WIDE,
}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
# Latin words a Chinese page may show: the product, units, file formats.
ALLOWED = {"Wangge", "Excel", "xlsx", "HTMX", "PDF"}

# (name, path or (list page, link pattern)): a link is followed from the list page.
PAGES: list[tuple[str, Any]] = [
    ("home", "/"),
    ("workers", "/workforce/workers/"),
    ("worker", ("/workforce/workers/", r"^/workforce/workers/[0-9a-f-]{36}/$")),
    ("teams", "/workforce/teams/"),
    ("team", ("/workforce/teams/", r"^/workforce/teams/\d+/$")),
    ("summary", "/workforce/summary/"),
    ("chains", "/workforce/chains/"),
    ("chain-area", ("/workforce/chains/", r"^/workforce/chains/areas/\d+/$")),
    ("chain-household", ("@chain-area", r"^/workforce/chains/households/\d+/$")),  # via a grid
    ("dispatch", "/dispatch/"),
    ("dispatch-mine", "/dispatch/mine/"),
    ("board", ("/dispatch/", r"^/dispatch/teams/\d+/$")),
    ("incidents", "/incidents/"),
    ("incidents-mine", "/incidents/mine/"),
    ("incident", ("/incidents/", r"^/incidents/[0-9a-f-]{36}/$")),
    ("incident-report", "/incidents/report/"),
    ("incident-figures", "/incidents/figures/"),
]


def links(page: Any, pattern: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if re.match(pattern, h.split("?")[0])]


def chain_with_gaps(page: Any, base: str, candidates: list[str]) -> str | None:
    """The first area chain page that shows a gap (a duty nobody holds), else the first."""
    for href in candidates[:8]:
        page.goto(base + href)
        if page.locator("tr.gap, #gap-lists h3").count():
            return href
    return candidates[0] if candidates else None


def household_chain(page: Any, base: str, start: str) -> str | None:
    """A household's chain page, found by looking up rooms "1…" on a grid below `start`."""
    seen, queue = set(), [start]
    while queue and len(seen) < 10:
        href = queue.pop(0)
        seen.add(href)
        page.goto(base + href)
        if page.locator("#household-q").count():
            page.goto(f"{base}{href}?q=1")
            found = links(page, r"^/workforce/chains/households/\d+/$")
            if found:
                return found[0]
        below = links(page, r"^/workforce/chains/areas/\d+/$")
        queue += [h for h in below if h not in seen and h not in queue]
    return None


def capture(page: Any, path: Path, viewport: dict) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {
        "x": 0,
        "y": 0,
        "width": viewport["width"],
        "height": min(height, 3 * viewport["height"]),
    }
    page.screenshot(path=str(path), full_page=True, clip=clip)


def check(page: Any, label: str, viewport: dict) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > viewport["width"]:
        print(f"  OVERFLOW {label}: {width} px wide")
    text = page.inner_text("body")
    words = sorted({w for w in LATIN.findall(text) if w not in ALLOWED})
    if words:
        print(f"  LATIN {label}: {' '.join(words[:30])}")


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    logins = dict(demo_logins())
    order = [name for name in LOGIN_ORDER if name in logins]
    order += [name for name in logins if name not in order]
    taken: set[str] = set()  # shared pages already taken by an earlier login
    with chromium() as browser:
        for username in order:
            print(username)
            mine: set[str] = set()  # the pages this login takes (found on the phone pass)
            for screen, viewport in SCREENS.items():
                if screen == "pc" and username not in LOGIN_ORDER:
                    continue  # the other logins on a phone only, to keep the set small
                page = signed_in_page(browser, base, username, logins[username], viewport)
                found: dict[str, str] = {}
                for name, where in PAGES:
                    if screen == "phone":
                        wanted = (
                            name in OTHERS_OWN
                            if username not in LOGIN_ORDER
                            else name in OWN
                            or (username in TAKEN_BY.get(name, []) and name not in taken)
                        )
                    else:
                        wanted = (name in mine and (name in OWN_ON_PC or name not in OWN)) or (
                            name == "chain-area" and "chain-household" in mine
                        )
                    if not wanted:
                        continue
                    href = locate(page, base, name, where, found, quiet=screen == "pc")
                    if href is None:
                        continue
                    found[name] = href
                    if screen == "pc" and (name not in mine or name in OWN - OWN_ON_PC):
                        continue
                    mine.add(name)
                    page.wait_for_load_state("networkidle")
                    label = f"{screen}-{username}-{name}"
                    check(page, f"{label} {href}", viewport)
                    capture(page, out / f"{label}.png", viewport)
                page.context.close()
            taken |= mine - OWN


def locate(page: Any, base: str, name: str, where: Any, found: dict, *, quiet: bool) -> str | None:
    """Go to the page (following a link from its list page); its path if it answered 200."""
    if isinstance(where, str):
        href: str | None = where
    else:
        source, pattern = where
        source = found.get(source[1:], "") if source.startswith("@") else source
        if not source:
            return None
        response = page.goto(base + source)
        if response is None or response.status != 200:
            return None
        candidates = links(page, pattern)
        if name == "chain-area":
            href = chain_with_gaps(page, base, candidates)
        elif name == "chain-household":
            href = household_chain(page, base, source)
        else:
            href = candidates[0] if candidates else None
        if href is None:
            if not quiet:
                print(f"  no link for {name} on {source}")
            return None
    response = page.goto(base + href)
    status = response.status if response else 0
    if status != 200:
        if not quiet:
            print(f"  {name} {href}: {status}")
        return None
    return href


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
