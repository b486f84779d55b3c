"""tools/po_fill.py: a fuzzy guess of makemessages is replaced by the JSON's translation, plural
entries included; a real translation is kept."""

import json
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import po_fill  # noqa: E402


def test_fuzzy_singular_and_plural_guesses_are_replaced(tmp_path, monkeypatch):
    for lang in po_fill.LANGS:
        po = polib.POFile()
        po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        po.append(polib.POEntry(msgid="%(counter)s shift", msgid_plural="%(counter)s shifts",
                                msgstr_plural={0: "%(counter)s user", 1: "%(counter)s users"},
                                flags=["fuzzy", "python-format"]))
        po.append(polib.POEntry(msgid="Shifts", msgstr="Users", flags=["fuzzy"]))
        po.append(polib.POEntry(msgid="Till", msgstr="Kept"))
        path = tmp_path / lang / "django.po"
        path.parent.mkdir()
        po.save(str(path))
    monkeypatch.setattr(po_fill, "po_path", lambda lang: tmp_path / lang / "django.po")
    table = {"%(counter)s shift": {"kk": ["%(counter)s ауысым"], "ru": ["%(counter)s смена",
                                                                      "%(counter)s смены",
                                                                      "%(counter)s смен"]},
             "Shifts": {"kk": "Ауысымдар", "ru": "Смены"},
             "Till": {"kk": "Касса", "ru": "Касса"}}
    source = tmp_path / "strings.json"
    source.write_text(json.dumps(table), encoding="utf-8")
    assert po_fill.main([str(source)]) == 0
    ru = {entry.msgid: entry for entry in polib.pofile(str(tmp_path / "ru" / "django.po"))}
    assert ru["%(counter)s shift"].msgstr_plural == {0: "%(counter)s смена",
                                                     1: "%(counter)s смены"}
    assert "fuzzy" not in ru["%(counter)s shift"].flags
    assert ru["Shifts"].msgstr == "Смены"
    assert ru["Till"].msgstr == "Kept"
    assert po_fill.missing(polib.pofile(str(tmp_path / "kk" / "django.po"))) == []
