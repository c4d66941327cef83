"""Screenshots of the daily docking pages (issue 13) of the demo logins, on a phone (390 px)
and a PC (1366 px), in Chinese, from a running demo whose days' figures are made
(`make demo PORT=8202`), then

    .venv/bin/python scripts/daily_screenshots_docking.py http://127.0.0.1:8202 docs/screenshots/daily

Files are named docking-phone-LOGIN-PAGE.png and docking-pc-LOGIN-PAGE.png. The community's
staff open today's figures from the workbench, open a figure and type a correction (on the
phone they send it); the street's staff see their communities and the corrections, and the
command centre its streets. It prints the pages that overflow sideways.
"""

import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1366, "height": 800}}


def capture(page: Any, path: Path, viewport: dict) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > viewport["width"]:
        print(f"  OVERFLOW {path.name}: {width} px wide")
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {
        "x": 0,
        "y": 0,
        "width": viewport["width"],
        "height": min(height, 3 * viewport["height"]),
    }
    page.screenshot(path=str(path), full_page=True, clip=clip)
    print(f"  {path.name}")


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    logins = dict(demo_logins())
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            name = f"docking-{screen}"
            page = signed_in_page(browser, base, "community", logins["community"], viewport)
            capture(page, out / f"{name}-community-home.png", viewport)
            card = page.locator("[data-card='docking.unit'] h2 a")
            if card.count():
                card.click()
            else:
                page.goto(f"{base}/docking/")
            page.wait_for_load_state()
            capture(page, out / f"{name}-community-day.png", viewport)
            if page.locator("#dock-form").count():
                page.locator("#fig-testing-sampled").evaluate("el => { el.open = true; }")
                sampled = page.locator("#fig-testing-sampled .fig-value").inner_text()
                page.fill("input[name='fix-testing.sampled']", str(int(sampled) + 6))
                page.fill("input[name='why-testing.sampled']", "6 人在外地采样，已取得结果，补录")
                page.locator("#fig-testing-sampled").scroll_into_view_if_needed()
                page.screenshot(path=str(out / f"{name}-community-correcting.png"))
                print(f"  {name}-community-correcting.png")
                if screen == "phone":
                    page.click("#dock-correct")
                    page.wait_for_selector(".messages")
                    capture(page, out / f"{name}-community-sent.png", viewport)
            page.context.close()
            page = signed_in_page(browser, base, "street", logins["street"], viewport)
            capture(page, out / f"{name}-street-home.png", viewport)
            page.goto(f"{base}/docking/")
            page.wait_for_load_state()
            page.locator("#below").scroll_into_view_if_needed()
            capture(page, out / f"{name}-street-day.png", viewport)
            page.context.close()
            page = signed_in_page(browser, base, "command", logins["command"], viewport)
            page.goto(f"{base}/docking/")
            page.wait_for_load_state()
            capture(page, out / f"{name}-command-day.png", viewport)
            page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
