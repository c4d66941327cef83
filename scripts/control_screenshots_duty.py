"""Screenshots of the duty pages (issue 12: posts, rosters, check in, scheduled tasks) of the
demo logins, on a phone (390 px) and a PC (1280 px), in Chinese, from a running demo:
`make demo PORT=8106`, then

    .venv/bin/python scripts/control_screenshots_duty.py http://127.0.0.1:8106 docs/screenshots/control

Files are named duty-phone-LOGIN-PAGE.png and duty-pc-LOGIN-PAGE.png, each at most three
screens long. It prints the pages that overflow sideways and any Latin words left on a page.
"""

import re
import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1280, "height": 800}}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
ALLOWED = {"Wangge", "Excel", "xlsx", "HTMX", "PDF"}
# (login, page name, path or (list page, link pattern, nth link), screens)
SHOTS: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("community", "posts", "/duty/", ("phone", "pc")),
    ("community", "roster", ("/duty/", r"^/duty/posts/\d+/$", 0), ("phone", "pc")),
    ("community", "roster-empty", ("/duty/", r"^/duty/posts/\d+/$", -1), ("phone",)),
    ("community", "tasks", "/duty/tasks/", ("phone", "pc")),
    ("community", "task", ("/duty/tasks/", r"^/duty/tasks/\d+/$", 1), ("phone",)),
    ("community", "home", "/", ("phone",)),
    ("volunteer", "home", "/", ("phone",)),
    ("volunteer", "mine", "/duty/mine/", ("phone", "pc")),
    ("gridmember", "mine", "/duty/mine/", ("phone",)),
]


def resolve(page: Any, base: str, target: Any) -> str | None:
    if isinstance(target, str):
        return target
    listing, pattern, nth = target
    page.goto(base + listing)
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = list(dict.fromkeys(h for h in hrefs if re.match(pattern, h.split("?")[0])))
    return found[nth] if found else None


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    passwords = dict(demo_logins())
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            for login in dict.fromkeys(shot[0] for shot in SHOTS):
                page = signed_in_page(browser, base, login, passwords[login], viewport)
                for who, name, target, screens in SHOTS:
                    if who != login or screen not in screens:
                        continue
                    path = resolve(page, base, target)
                    if path is None:
                        print(f"{login} {name}: no link found")
                        continue
                    response = page.goto(base + path)
                    if response is None or response.status != 200:
                        print(f"{login} {name}: {response.status if response else '?'}")
                        continue
                    page.wait_for_timeout(400)
                    wide = page.evaluate("document.documentElement.scrollWidth") > viewport["width"]
                    if wide:
                        print(f"{screen} {login} {name}: overflows sideways")
                    words = set(LATIN.findall(page.inner_text("main"))) - ALLOWED
                    if words:
                        print(f"{screen} {login} {name}: Latin words {sorted(words)[:10]}")
                    height = min(
                        page.evaluate("document.body.scrollHeight"), 3 * viewport["height"]
                    )
                    page.set_viewport_size({"width": viewport["width"], "height": height})
                    page.screenshot(path=str(out / f"duty-{screen}-{login}-{name}.png"))
                    page.set_viewport_size(viewport)
                page.context.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
