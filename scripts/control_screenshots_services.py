"""Screenshots of the door-to-door service pages (issue 12) of the demo logins, on a phone
(390 px) and a PC (1280 px), in Chinese, from a running demo: `make demo PORT=8107`, then

    .venv/bin/python scripts/control_screenshots_services.py http://127.0.0.1:8107 docs/screenshots/control

Files are named services-phone-LOGIN-PAGE.png and services-pc-LOGIN-PAGE.png. The
community's staff take the list, a late request, the new-request form, a household's
history and the supplies; the grid member the address search; the volunteer their own
requests and one of them. It prints the pages that overflow sideways and the Latin words
left on a page (English leftovers, raw codes).
"""

import re
import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1280, "height": 800}}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
ALLOWED = {"Wangge", "Excel", "xlsx", "HTMX", "PDF"}
REQUEST = re.compile(r"^/services/[0-9a-f-]{36}/$")
HOUSEHOLD = re.compile(r"^/services/households/\d+/$")


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
    words = sorted({w for w in LATIN.findall(page.inner_text("body")) if w not in ALLOWED})
    if words:
        print(f"  LATIN {label}: {' '.join(words[:30])}")


def first_link(page: Any, pattern: re.Pattern[str], selector: str = "a") -> str | None:
    for href in page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))"):
        if href and pattern.match(href):
            return str(href)
    return None


def shoot(page: Any, base: str, href: str, path: Path, viewport: dict) -> None:
    response = page.goto(base + href)
    if response is None or response.status != 200:
        print(f"  {href}: {response.status if response else 'no answer'}")
        return
    check(page, path.name, viewport)
    capture(page, path, viewport)
    print(f"  {path.name}")


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    logins = dict(demo_logins())
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            name = f"services-{screen}"
            page = signed_in_page(browser, base, "community", logins["community"], viewport)
            shoot(page, base, "/services/", out / f"{name}-community-list.png", viewport)
            late = first_link(page, REQUEST, ".svc-card.late a") or first_link(page, REQUEST)
            if late:
                shoot(page, base, late, out / f"{name}-community-request.png", viewport)
                household = first_link(page, HOUSEHOLD)
                if household:
                    shoot(page, base, household, out / f"{name}-community-household.png", viewport)
                    number = household.rstrip("/").rsplit("/", 1)[-1]
                    shoot(
                        page,
                        base,
                        f"/services/new/?household={number}",
                        out / f"{name}-community-new.png",
                        viewport,
                    )
            shoot(
                page, base, "/services/supplies/", out / f"{name}-community-supplies.png", viewport
            )
            shoot(page, base, "/", out / f"{name}-community-home.png", viewport)
            page.context.close()
            if screen != "phone":
                continue
            page = signed_in_page(browser, base, "gridmember", logins["gridmember"], viewport)
            page.goto(base + "/services/new/")
            page.fill("#household-q", "1-1")
            page.wait_for_timeout(1200)
            check(page, "search", viewport)
            capture(page, out / f"{name}-gridmember-find.png", viewport)
            print(f"  {name}-gridmember-find.png")
            page.context.close()
            page = signed_in_page(browser, base, "volunteer", logins["volunteer"], viewport)
            shoot(page, base, "/services/mine/", out / f"{name}-volunteer-mine.png", viewport)
            mine = first_link(page, REQUEST)
            if mine:
                shoot(page, base, mine, out / f"{name}-volunteer-request.png", viewport)
            shoot(page, base, "/", out / f"{name}-volunteer-home.png", viewport)
            page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
