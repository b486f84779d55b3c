"""Fill translations into locale/<lang>/LC_MESSAGES/django.po from a JSON file.

The JSON maps a msgid (or "context\u0004msgid") to {"kk": "...", "ru": "..."}; plural entries
take a list of forms. Existing translations are kept unless --force. Prints what is still empty.

    python tools/po_fill.py my-strings.json [--force]
    python tools/po_fill.py --missing        # list untranslated msgids per language
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("kk", "ru")


def po_path(lang):
    return ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"


def key(entry):
    return f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid


def missing(po):
    out = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                out.append(key(entry))
        elif not entry.msgstr or "fuzzy" in entry.flags:
            out.append(key(entry))
    return out


def main(argv):
    force = "--force" in argv
    if "--missing" in argv:
        for lang in LANGS:
            for k in missing(polib.pofile(str(po_path(lang)))):
                print(f"{lang}\t{k!r}")
        return 0
    table = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    for lang in LANGS:
        po = polib.pofile(str(po_path(lang)))
        for entry in po:
            item = table.get(key(entry))
            if not item or lang not in item:
                continue
            value = item[lang]
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                count = len(entry.msgstr_plural) or 3
                # A fuzzy plural is msgmerge's guess from a near msgid: replace it too.
                if force or "fuzzy" in entry.flags or not all(entry.msgstr_plural.values()):
                    entry.msgstr_plural = {i: forms[min(i, len(forms) - 1)] for i in range(count)}
            elif force or not entry.msgstr or "fuzzy" in entry.flags:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save()
        left = missing(po)
        print(f"{lang}: {len(left)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
