"""Screenshots of the command dashboard (issue 13) on a phone (390 px) and a PC (1366 px), in
Chinese, from a running demo with its days made: `make demo PORT=8203`, then

    .venv/bin/python scripts/daily_screenshots_dashboard.py http://127.0.0.1:8203 \
        docs/screenshots/daily

Files are named dashboard-SCREEN-LEVEL.png: the district (the command centre's landing on the
page: headline, trends, the streets), then down the child with the most untested at each level:
a community and a grid; and a day that was not made; as the demo's command centre.
"""

import re
import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1366, "height": 900}}


def _shoot(page: Any, path: Path) -> None:
    page.wait_for_timeout(700)  # the charts draw once echarts has loaded
    page.screenshot(path=str(path), full_page=True)
    print(path)


def _first_child(page: Any) -> str | None:
    """The link of the first row of the areas below (sorted by most untested)."""
    link = page.query_selector("table.children-table tbody tr td a")
    return link.get_attribute("href") if link else None


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    username, password = next((u, p) for u, p in demo_logins() if u == "command")
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            page = signed_in_page(browser, base, username, password, viewport)
            page.goto(f"{base}/dashboard/?sort=untested")
            _shoot(page, out / f"dashboard-{screen}-district.png")
            district_url = page.url
            for level in ("street", "community", "grid"):
                href = _first_child(page)
                if not href:
                    break
                page.goto(f"{base}/dashboard/{href}".replace("sort=coverage", "sort=untested"))
                if level != "street":
                    _shoot(page, out / f"dashboard-{screen}-{level}.png")
            area = re.search(r"area=(\d+)", page.url)
            if area:
                page.goto(f"{base}/dashboard/?area={area.group(1)}&day=2020-01-01")
                _shoot(page, out / f"dashboard-{screen}-not-made.png")
            page.goto(district_url)
            page.context.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
