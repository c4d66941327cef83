"""Screenshots of the risk-level pages (issue 12) on a phone (390 px) and a PC (1280 px), in
Chinese, from a running demo: `make demo PORT=8101`, then

    .venv/bin/python scripts/control_screenshots_risk.py http://127.0.0.1:8101 docs/screenshots/control

Taken as the street's login (who sets levels): the list of areas at a level, the lockdown
compound's area page (its level in the title and the section), its community's page (the
areas below with their badges), the level page with its history and form, the tree opened
down to the community, the policies, and the workbench. Files: phone-risk-PAGE.png and
pc-risk-PAGE.png, each at most three screens long. Prints the Latin words left on a page.
"""

import re
import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1280, "height": 800}}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
ALLOWED = {"Wangge", "Excel", "xlsx", "HTMX", "PDF"}
LOGIN = "street"


def _first_link(page: Any, base: str, pattern: str) -> str | None:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = [h for h in hrefs if re.match(pattern, h.split("?")[0])]
    return found[0] if found else None


def _shoot(page: Any, path: Path, viewport: dict) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size(
        {"width": viewport["width"], "height": min(height, 3 * viewport["height"])}
    )
    page.screenshot(path=str(path), full_page=False)
    page.set_viewport_size(viewport)
    words = set(LATIN.findall(page.inner_text("main"))) - ALLOWED
    if words:
        print(f"{path.name}: Latin words {sorted(words)}")


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    logins = dict(demo_logins())
    user = next(name for name in logins if name == LOGIN or name.endswith(LOGIN))
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            page = signed_in_page(browser, base, user, logins[user], viewport)
            _shoot(page, out / f"{screen}-risk-home.png", viewport)
            page.goto(f"{base}/risk/")
            _shoot(page, out / f"{screen}-risk-list.png", viewport)
            lockdown = page.eval_on_selector_all(
                "table.risk-list tr",
                "rows => rows.filter(r => r.querySelector('.tone-alarm'))"
                ".map(r => r.querySelector('a') && r.querySelector('a').getAttribute('href'))",
            )
            control = page.eval_on_selector_all(
                "table.risk-list tr",
                "rows => rows.filter(r => r.querySelector('.tone-warn'))"
                ".map(r => r.querySelector('a') && r.querySelector('a').getAttribute('href'))",
            )
            level_page = next((h for h in lockdown if h), None)
            if level_page:
                page.goto(base + level_page)
                _shoot(page, out / f"{screen}-risk-area-level.png", viewport)
                area_link = _first_link(page, base, r"^/areas/\d+/$")
                if area_link:
                    page.goto(base + area_link)
                    _shoot(page, out / f"{screen}-risk-area-page.png", viewport)
            community = next((h for h in control if h), None)
            if community:
                page.goto(base + community)
                area_link = _first_link(page, base, r"^/areas/\d+/$")
                if area_link:
                    page.goto(base + area_link)
                    _shoot(page, out / f"{screen}-risk-community-page.png", viewport)
            page.goto(f"{base}/areas/")
            # Open the tree down to the street's communities.
            for _depth in range(2):
                closed = page.query_selector_all("main ul.tree details:not([open]) > summary")
                if not closed:
                    break
                closed[0].click()
                page.wait_for_timeout(600)
            _shoot(page, out / f"{screen}-risk-tree.png", viewport)
            page.goto(f"{base}/risk/policies/")
            _shoot(page, out / f"{screen}-risk-policies.png", viewport)
            page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
