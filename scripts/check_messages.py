"""Regenerate the catalogues from the code and fail if any string lacks a translation.

zh-Hans is the default language and needs every string translated; the English catalogue
is complete when every msgstr is filled (`make messages-en` fills it from the msgids).
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh_Hans", "en"]
DOMAINS = ["django", "djangojs"]
IGNORE = [".venv/*", "node_modules/*", "var/*", "bench/*", "tests/*", "*/tests/*", "docs/*"]


def regenerate() -> None:
    for domain in DOMAINS:
        args = [
            str(ROOT / ".venv/bin/wangge"),
            "makemessages",
            "-d",
            domain,
            "--no-obsolete",
            # Source locations change with every edit and make parallel work conflict.
            "--no-location",
            "-v",
            "0",
        ]
        for language in LANGUAGES:
            args += ["-l", language]
        for pattern in IGNORE:
            args += ["--ignore", pattern]
        subprocess.run(args, cwd=ROOT, check=True)  # noqa: S603


def fill_english() -> None:
    for domain in DOMAINS:
        path = ROOT / "locale/en/LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            continue
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()


def missing() -> list[str]:
    problems = []
    for language in LANGUAGES:
        for domain in DOMAINS:
            path = ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            if not path.exists():
                continue
            for entry in polib.pofile(str(path)):
                if entry.obsolete:
                    continue
                if "fuzzy" in entry.flags or not entry.translated():
                    problems.append(f"{language}/{domain}: {entry.msgid!r}")
    return problems


def main() -> int:
    regenerate()
    if "--fill-en" in sys.argv:
        fill_english()
    problems = missing()
    for problem in problems:
        print("untranslated:", problem)
    if problems:
        print(f"{len(problems)} strings lack a translation (see locale/).")
        return 1
    print("Catalogues complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
