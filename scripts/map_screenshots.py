"""Screenshots of the map (issue 13) on a phone (390 px) and a PC (1366 px), in Chinese, from
a running demo with frozen days: `make demo PORT=8204`, then

    .venv/bin/python scripts/map_screenshots.py http://127.0.0.1:8204 docs/screenshots/daily

Taken as the command centre's login (the district): the district's streets and towns by
risk level, by coverage and by incidents open; a street's communities (the first street
that drills down, reached by clicking it on the map); a community's compounds; and the
outlines' import page with a checked file that has errors. Files: phone-map-PAGE.png and
pc-map-PAGE.png. Prints the Latin words left on a page and any message the browser's
console logged (a CSP violation would show there).
"""

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1366, "height": 800}}
LATIN = re.compile(r"\b[A-Za-z][A-Za-z_]{3,}\b")
ALLOWED = {"Wangge", "GeoJSON", "geojson", "Polygon", "MultiPolygon", "WGS84", "EPSG", "adcode"}
LOGIN = "command"


def _shoot(page: Any, path: Path, viewport: dict, *, screens: int = 2) -> None:
    # The viewport stays the device's (the map's height follows it); the picture goes on
    # below the fold for at most `screens` screens.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.wait_for_timeout(400)
    clip = {
        "x": 0,
        "y": 0,
        "width": viewport["width"],
        "height": min(height, screens * viewport["height"]),
    }
    page.screenshot(path=str(path), full_page=True, clip=clip)
    words = set(LATIN.findall(page.inner_text("main"))) - ALLOWED
    if words:
        print(f"{path.name}: Latin words {sorted(words)}")


def _open_map(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".leaflet-interactive", timeout=15000)


def _bad_file() -> Path:
    """Outlines with the errors the check reports: one crossing itself, one far outside
    its parent, one naming no area."""
    ring = [[103.70, 36.00], [103.72, 36.02], [103.72, 36.00], [103.70, 36.02], [103.70, 36.00]]
    far = [[110.0, 30.0], [110.01, 30.0], [110.01, 30.01], [110.0, 30.01], [110.0, 30.0]]
    features = [
        {
            "type": "Feature",
            "properties": {"path": "七里河区/西园街道"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        },
        {
            "type": "Feature",
            "properties": {"path": "七里河区/西园街道/西园社区"},
            "geometry": {"type": "Polygon", "coordinates": [far]},
        },
        {
            "type": "Feature",
            "properties": {"code": "620103999"},
            "geometry": {"type": "Polygon", "coordinates": [far]},
        },
    ]
    path = Path(tempfile.mkdtemp()) / "七里河区边界.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    logins = dict(demo_logins())
    user = next(name for name in logins if name == LOGIN or name.endswith(LOGIN))
    bad = _bad_file()
    with chromium() as browser:
        for screen, viewport in SCREENS.items():
            page = signed_in_page(browser, base, user, logins[user], viewport)
            page.on("console", lambda message: print(f"console {message.type}: {message.text}"))
            for colour in ("risk", "coverage", "incidents"):
                _open_map(page, f"{base}/dashboard/map/?colour={colour}")
                _shoot(page, out / f"{screen}-map-district-{colour}.png", viewport)
            # Drill down by clicking the first street's polygon on the map.
            street = page.eval_on_selector_all(
                ".map-areas a", "links => links.map(a => [a.textContent, a.getAttribute('href')])"
            )
            target = next((href for name, href in street if name.endswith("街道")), None)
            if target:
                _open_map(page, base + target.replace("colour=incidents", "colour=risk"))
                _shoot(page, out / f"{screen}-map-street-risk.png", viewport)
                community = page.eval_on_selector_all(
                    ".map-areas a", "links => links.map(a => a.getAttribute('href'))"
                )
                if community:
                    _open_map(page, base + community[0].replace("colour=risk", "colour=coverage"))
                    _shoot(page, out / f"{screen}-map-community-coverage.png", viewport)
            page.goto(f"{base}/areas/boundaries/import/")
            page.set_input_files("input[type=file]", str(bad))
            page.click("form.narrow-form button[type=submit]")
            page.wait_for_selector("table")
            _shoot(page, out / f"{screen}-map-boundaries-import-errors.png", viewport)
            page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
