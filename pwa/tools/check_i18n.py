"""Lists i18n keys the JS uses literally (t('x'), field('x', …), data-i18n) that the translation files lack."""

import json
import re
import sys
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent
KEY = r"'([a-z_]+(?:\.[a-z0-9_]+)+)'"
PATTERNS = [re.compile(r"\bt\(" + KEY), re.compile(r"\bfield\(" + KEY), re.compile(r"\bbutton\(" + KEY),
            re.compile(r"\bscreen\(" + KEY), re.compile(r", " + KEY + r"\)"), re.compile(r"\[" + KEY + r","),
            re.compile(r"\bscanner\([^\n]*, " + KEY)]
HTML_KEY = re.compile(r'data-i18n(?:-[a-z-]+)?="([^"]+)"')


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in (PWA / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            keys.update(pattern.findall(text))
    keys.update(HTML_KEY.findall((PWA / "index.html").read_text(encoding="utf-8")))
    return keys


def missing() -> dict[str, list[str]]:
    out = {}
    for lang in ("id", "en"):
        have = json.loads((PWA / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        out[lang] = sorted(k for k in used_keys() if k not in have)
    return out


if __name__ == "__main__":
    gaps = missing()
    for lang, keys in gaps.items():
        print(lang, len(keys), " ".join(keys))
    sys.exit(1 if any(gaps.values()) else 0)
