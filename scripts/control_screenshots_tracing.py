"""Screenshots of the lists to trace (issue 12) on a phone (390 px) and a PC (1280 px), in
Chinese, from a running demo: `make demo PORT=8103`, then

    .venv/bin/python scripts/control_screenshots_tracing.py http://127.0.0.1:8103 \
        docs/screenshots/control

Files are named phone-LOGIN-tracing-PAGE.png and pc-LOGIN-tracing-PAGE.png: the grid
member's workbench, "my people to trace" and a person's feedback form (phone), the
community's lists, the demo list's progress, the import with its report (phone and PC).
Each capture is at most three screens long; pages that overflow sideways and Latin words
left on a page are printed.
"""

import io
import re
import sys
from pathlib import Path
from typing import Any

from demo_browser import PHONE, ROOT, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1280, "height": 800}}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
ALLOWED = {"Wangge", "Excel", "xlsx", "HTMX", "PDF", "UTF", "GBK", "CSV"}
# login → [(page name, path or (list path, link pattern))], and the screens to take.
PLAN: dict[str, tuple[tuple[str, ...], list[tuple[str, Any]]]] = {
    "gridmember": (
        ("phone",),
        [
            ("home", "/"),
            ("mine", "/tracing/mine/"),
            ("person", ("/tracing/mine/", r"^/tracing/person/\d+/$")),
        ],
    ),
    "community": (
        ("phone", "pc"),
        [
            ("lists", "/tracing/"),
            ("list", ("/tracing/", r"^/tracing/\d+/$")),
            ("import", "/tracing/import/"),
            ("report", "upload"),
        ],
    ),
}


def _sheet(bad: bool) -> bytes:
    sys.path.insert(0, str(ROOT))
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "协查名单"
    sheet.append(["区指挥部 第13批协查名单"])
    sheet.append(["序号", "姓名", "身份证号", "联系电话", "协查原因"])
    sheet.append([1, "张伟", "620103198005170011", "13900001234", "密接"])
    sheet.append([2, "", "620103198005170038", "", "次密接"])
    sheet.append([3, "李娜", 6.20103198e17, "13900002222", "密接"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(page: Any, base: str, out: Path) -> str | None:
    page.goto(base + "/tracing/import/")
    page.fill("input[name=title]", "第13批协查名单")
    page.fill("input[name=deadline]", "2030-01-01")
    path = out / "_list.xlsx"
    path.write_bytes(_sheet(True))
    page.set_input_files("input[name=file]", str(path))
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    path.unlink()
    return page.url.replace(base, "")


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


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    logins = dict(demo_logins())
    with chromium() as browser:
        for username, (screens, pages) in PLAN.items():
            for screen in screens:
                viewport = SCREENS[screen]
                page = signed_in_page(browser, base, username, logins[username], viewport)
                for name, where in pages:
                    if where == "upload":
                        href = upload(page, base, out)
                    elif isinstance(where, str):
                        href = where
                        page.goto(base + href)
                    else:
                        page.goto(base + where[0])
                        hrefs = page.eval_on_selector_all(
                            "main a[href]", "els => els.map(e => e.getAttribute('href'))"
                        )
                        found = [h for h in hrefs if re.match(where[1], h.split("?")[0])]
                        if not found:
                            print(f"  no link for {name}")
                            continue
                        href = found[0]
                        page.goto(base + href)
                    page.wait_for_load_state("networkidle")
                    label = f"{screen}-{username}-tracing-{name}"
                    check(page, f"{label} {href}", viewport)
                    capture(page, out / f"{label}.png", viewport)
                page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
