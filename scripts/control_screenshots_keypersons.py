"""Screenshots of the key persons' pages (issue 12) as the demo's grid member, on a phone
(390 px) and a PC (1280 px), in Chinese, from a running demo: `make demo PORT=8102`, then

    .venv/bin/python scripts/control_screenshots_keypersons.py http://127.0.0.1:8102 \
        docs/screenshots/control

Files: phone-keypersons-PAGE.png and pc-keypersons-PAGE.png for the workbench, the list,
a person who is overdue, a flagged one, the one ready for release, the check form (with a
refused temperature) and the add form. Prints the pages that overflow sideways and the
Latin words left on a page.
"""

import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page
from people_screenshots import capture, check

SCREENS = {"phone": PHONE, "pc": {"width": 1280, "height": 800}}
LOGIN = "gridmember"


def person_link(page: Any, base: str, query: str, tag: str | None = None) -> str | None:
    """The first person of the list (`query`), whose row carries `tag` if given."""
    page.goto(f"{base}/key-persons/?{query}")
    rows = page.locator("table.kp-rows tbody tr")
    for index in range(rows.count()):
        row = rows.nth(index)
        if tag is not None and row.locator(f"span.tag.{tag}").count() == 0:
            continue
        link = row.locator("a").first
        if link.count():
            href: str | None = link.get_attribute("href")
            return href
    return None


def ready_link(page: Any, base: str) -> str | None:
    """The person whose page offers the release button."""
    page.goto(f"{base}/key-persons/")
    hrefs = page.eval_on_selector_all(
        "table.kp-rows a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    for href in hrefs:
        page.goto(base + href)
        if page.locator("form[action$='/release/']").count():
            return str(href)
    return None


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    logins = dict(demo_logins())
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            page = signed_in_page(browser, base, LOGIN, logins[LOGIN], viewport)
            overdue = person_link(page, base, "overdue=1", "bad")
            flagged = person_link(page, base, "", "bad")
            ready = ready_link(page, base)
            shots: list[tuple[str, str | None, str | None]] = [
                ("home", "/", None),
                ("list", "/key-persons/", None),
                ("overdue", overdue, None),
                ("ready", ready, None),
                ("check", f"{overdue}check/" if overdue else None, "73"),
                ("add", "/key-persons/add/?q=王", None),
                ("policies", "/key-persons/policies/", None),
            ]
            if flagged and flagged != overdue:
                shots.insert(3, ("flagged", flagged, None))
            for name, href, typed in shots:
                if href is None:
                    print(f"  no page for {name}")
                    continue
                response = page.goto(base + href)
                if response is None or response.status != 200:
                    print(f"  {name} {href}: {response.status if response else 0}")
                    continue
                if typed is not None:
                    page.fill("#id_temperature", typed)
                    page.check("input[value=cough]")
                    page.click("form.narrow-form button[type=submit]")
                page.wait_for_load_state("networkidle")
                label = f"{screen}-keypersons-{name}"
                check(page, f"{label} {href}", viewport)
                capture(page, out / f"{label}.png", viewport)
            page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
