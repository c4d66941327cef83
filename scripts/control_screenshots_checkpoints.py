"""Screenshots of the checkpoint pages (issue 12) on a phone (390 px) and a PC (1280 px), in
Chinese, from a running demo: `make demo PORT=8104`, then

    .venv/bin/python scripts/control_screenshots_checkpoints.py http://127.0.0.1:8104 \
        docs/screenshots/control

Files are named checkpoints-SCREEN-PAGE.png: the list, a checkpoint's day, the volumes and
the entry page (empty, then with a fever typed and a bad plate refused), as the demo's
checkpoint officer (the entry page) and community staff (the rest).
"""

import sys
from pathlib import Path

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1280, "height": 800}}


def login(logins: list[tuple[str, str]], suffix: str) -> tuple[str, str]:
    return next((u, p) for u, p in logins if u.endswith(suffix))


def main() -> None:
    base, folder = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    logins = demo_logins()
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            page = signed_in_page(browser, base, *login(logins, "community"), viewport)

            def shot(name: str, page=page, screen=screen) -> None:  # type: ignore[no-untyped-def]
                height = page.evaluate("document.documentElement.scrollHeight")
                full = height <= 3 * page.viewport_size["height"]
                page.screenshot(
                    path=str(folder / f"checkpoints-{screen}-{name}.png"), full_page=full
                )
                print("took", screen, name)

            page.goto(f"{base}/checkpoints/")
            shot("list")
            link = page.locator(".checkpoint-card header a").first
            href = link.get_attribute("href")
            page.goto(f"{base}{href}")
            shot("day")
            page.goto(f"{base}/checkpoints/volumes/")
            shot("volumes")
            page.context.close()

            officer = signed_in_page(browser, base, *login(logins, "checkpoint"), viewport)
            officer.goto(f"{base}{href}register/")

            def shot_officer(name: str, officer=officer, screen=screen) -> None:  # type: ignore[no-untyped-def]
                officer.screenshot(
                    path=str(folder / f"checkpoints-{screen}-{name}.png"), full_page=True
                )
                print("took", screen, name)

            shot_officer("register")
            officer.keyboard.type("甘a 8k2m1")
            officer.keyboard.press("Enter")
            officer.fill("input[name=people-0-document]", "110101199003070513")
            officer.fill("input[name=people-0-name]", "张伟")
            officer.fill("input[name=people-0-temperature]", "38.1")
            officer.click("#add-person")
            officer.fill("input[name=people-1-document]", "110101198805120020")
            officer.fill("input[name=people-1-name]", "李娜")
            officer.fill("input[name=people-1-temperature]", "36.4")
            shot_officer("register-typed")
            officer.fill("input[name=plate]", "京I12345")
            officer.click("#register-submit")
            officer.wait_for_load_state()
            shot_officer("register-refused")
            officer.context.close()


if __name__ == "__main__":
    main()
