"""Screenshots of the daily bulletin (issue 13) from a running demo: `make demo PORT=8205`,
then

    .venv/bin/python scripts/bulletin_screenshots.py http://127.0.0.1:8205 docs/screenshots/daily

Taken as the command centre's login (the district): the bulletins page of the district on a
phone (390 px) and a PC (1366 px), in Chinese (phone-bulletins-list.png,
pc-bulletins-list.png); then the district's PDF of the latest day, downloaded through the
page's own link, its pages drawn by Debian's pdftoppm (poppler-utils) as
bulletin-page-N.png (the first three pages). Prints the Latin words left on the page.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1366, "height": 800}}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
ALLOWED = {"Wangge", "Excel", "PDF"}
LOGIN = "command"
PAGES = 3
PDFTOPPM = "/usr/bin/pdftoppm"


def _shoot(page: Any, path: Path, viewport: dict[str, int]) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size(
        {"width": viewport["width"], "height": min(height, 2 * viewport["height"])}
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
        pdf_link = ""
        for screen, viewport in SCREENS.items():
            page = signed_in_page(browser, base, user, logins[user], viewport)
            page.goto(f"{base}/bulletins/")
            _shoot(page, out / f"{screen}-bulletins-list.png", viewport)
            links = page.eval_on_selector_all(
                "table.bulletin-days td.downloads a",
                "els => els.map(e => e.getAttribute('href'))",
            )
            pdf_link = next((link for link in links if link.endswith(".pdf")), pdf_link)
            if screen == "pc" and pdf_link:
                answer = page.request.get(f"{base}{pdf_link}")
                if answer.status != 200:
                    raise SystemExit(f"{pdf_link}: {answer.status}")
                with tempfile.TemporaryDirectory() as folder:
                    pdf = Path(folder) / "bulletin.pdf"
                    pdf.write_bytes(answer.body())
                    subprocess.run(  # noqa: S603 (our own file, a fixed program)
                        [
                            PDFTOPPM,
                            "-png",
                            "-r",
                            "80",
                            "-f",
                            "1",
                            "-l",
                            str(PAGES),
                            str(pdf),
                            str(out / "bulletin-page"),
                        ],
                        check=True,
                    )
        if not pdf_link:
            raise SystemExit("the district has no day made: no bulletin to draw")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
