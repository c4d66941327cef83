"""Screenshots of the versions page of a day's figures (issue 13) on a phone (390 px) and a
PC (1366 px), in Chinese, from a running demo: `make demo PORT=8201`, then

    .venv/bin/python scripts/snapshots_screenshots.py http://127.0.0.1:8201 docs/screenshots/daily

Taken as the street's login (a leader, who makes figures on demand): the street's page of
today's versions after "make the figures again" (two versions, the changes between them).
Files: phone-snapshots-versions.png and pc-snapshots-versions.png. Prints the Latin words
left on a page.
"""

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1366, "height": 800}}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
ALLOWED = {"Wangge"}
LOGIN = "street"


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
    # The demo runs in Lanzhou (UTC+8), as its pages count days.
    today = dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    with chromium() as browser:
        made = False
        for screen, viewport in SCREENS.items():
            page = signed_in_page(browser, base, user, logins[user], viewport)
            page.goto(f"{base}/areas/")
            hrefs = page.eval_on_selector_all(
                "main a[href]", "els => els.map(e => e.getAttribute('href'))"
            )
            street = next(h for h in hrefs if re.match(r"^/areas/\d+/$", h.split("?")[0]))
            area_id = street.strip("/").split("/")[-1]
            page.goto(f"{base}/snapshots/{area_id}/{today}/")
            if not made:
                page.click("form.inline-form button[type=submit]")
                page.wait_for_load_state()
                made = True
            _shoot(page, out / f"{screen}-snapshots-versions.png", viewport)
            page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
