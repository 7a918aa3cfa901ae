"""Translations: the English catalog is complete and consistent with the Dutch source strings, the
catalogs are up to date with the code, and the language switch works through the test client.

To update the catalogs after adding or changing strings (see README):

    .venv/bin/pybabel extract -F babel.cfg --project=Trajectwijzer --version=0.1.0 \
        -o app/translations/messages.pot .
    .venv/bin/pybabel update -i app/translations/messages.pot -d app/translations \
        --ignore-obsolete --no-fuzzy-matching
    (translate the new empty msgstr entries in app/translations/en/LC_MESSAGES/messages.po)
    make translations
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")

# %(name)s, %(num)d, %(amount).2f ...: the named placeholders gettext fills in.
PLACEHOLDER_RE = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def _entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _where(message: Message) -> str:
    return f"{EN_PO.relative_to(ROOT)}:{message.lineno or '?'}"


def _label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return f"{_where(message)} {msgid!r}"


def _format_signature(text: str) -> tuple[list[str], int]:
    """The named placeholders, and how many other '%' signs there are (a stray '%' breaks
    Jinja's new-style gettext, which always applies the % operator)."""
    placeholders = sorted(PLACEHOLDER_RE.findall(text))
    return placeholders, PLACEHOLDER_RE.sub("", text).count("%")


def _pairs(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: form 0 follows msgid, the other forms msgid_plural."""
    if isinstance(message.id, (tuple, list)):
        singular, plural = str(message.id[0]), str(message.id[1])
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(singular if i == 0 else plural, str(s or "")) for i, s in enumerate(strings)]
    assert isinstance(message.string, str)
    return [(message.id, message.string)]


def _key(message: Message) -> str | tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else message.id


def _extract(tmp_path: Path) -> set[str | tuple[str, ...]]:
    """Run the same extraction a developer runs, into a temporary .pot."""
    target = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(target),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {_key(message) for message in _entries(_read(target))}


# -- (a) the English catalog is complete and consistent ------------------------------------------


def test_english_catalog_translates_every_message() -> None:
    catalog = _read(EN_PO, "en")
    assert catalog.locale is not None and str(catalog.locale) == "en"
    assert catalog.num_plurals == 2
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    entries = _entries(catalog)
    assert len(entries) > 100
    untranslated = [
        _label(m) for m in entries if not all(t.strip() for _, t in _pairs(m)) or not m.string
    ]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    wrong_forms = [
        _label(m)
        for m in entries
        if isinstance(m.id, tuple)
        and (not isinstance(m.string, tuple) or len(m.string) != catalog.num_plurals)
    ]
    assert not wrong_forms, "plural messages need 2 forms:\n" + "\n".join(wrong_forms)
    fuzzy = [_label(m) for m in entries if m.fuzzy]
    assert not fuzzy, "fuzzy (not compiled, so shown in Dutch):\n" + "\n".join(fuzzy)
    obsolete = list(catalog.obsolete)
    assert not obsolete, f"obsolete entries (use --ignore-obsolete): {obsolete!r}"


def test_english_translations_keep_the_placeholders() -> None:
    problems = []
    for message in _entries(_read(EN_PO, "en")):
        for source, translation in _pairs(message):
            if translation and _format_signature(source) != _format_signature(translation):
                problems.append(f"{_where(message)} {source!r} -> {translation!r}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_english_translations_are_not_left_in_dutch() -> None:
    """Cheap guard against copy-pasted msgids: a long sentence should not come back unchanged."""
    same = [
        _label(m)
        for m in _entries(_read(EN_PO, "en"))
        if isinstance(m.id, str) and len(m.id.split()) >= 4 and m.string == m.id
    ]
    assert not same, "translation identical to the Dutch source:\n" + "\n".join(same)


# -- (b) the catalogs are up to date with the code -------------------------------------------------


@pytest.mark.parametrize("catalog_path", [POT, EN_PO], ids=["messages.pot", "en/messages.po"])
def test_catalog_has_every_string_in_the_code(catalog_path: Path, tmp_path: Path) -> None:
    extracted = _extract(tmp_path)
    assert len(extracted) > 100, "extraction found almost nothing; is babel.cfg right?"
    known = {_key(message) for message in _entries(_read(catalog_path))}
    missing = sorted(extracted - known, key=str)
    assert not missing, (
        f"{len(missing)} string(s) in the code are missing from {catalog_path.relative_to(ROOT)}; "
        "run the extract + update commands in this module's docstring and translate them:\n"
        + "\n".join(repr(m) for m in missing)
    )


# -- (c) the language switch through the test client -----------------------------------------------


@pytest.fixture(scope="module")
def english_mo() -> Path:
    """`make translations` compiles the catalogs; compile the English one here if it is missing
    or older than the .po, so the test also runs on its own. Written atomically (temp + rename)."""
    if not EN_MO.exists() or EN_MO.stat().st_mtime < EN_PO.stat().st_mtime:
        catalog = _read(EN_PO, "en")
        fd, tmp_name = tempfile.mkstemp(dir=EN_MO.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as fileobj:
                write_mo(fileobj, catalog)
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, EN_MO)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    return EN_MO


def _english(msgid: str) -> str:
    message = _read(EN_PO, "en").get(msgid)
    assert message is not None and isinstance(message.string, str) and message.string
    return message.string


def test_login_page_is_dutch_by_default_and_english_after_switching(
    client: FlaskClient, english_mo: Path
) -> None:
    log_in = _english("Inloggen")
    assert log_in != "Inloggen"

    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "<h1>Inloggen</h1>" in page

    response = client.get("/taal/en?next=/inloggen")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen")

    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert f"<h1>{log_in}</h1>" in page
    assert "<h1>Inloggen</h1>" not in page
    assert _english("Wachtwoord") in page  # a lazy form label, translated at render time

    client.get("/taal/nl?next=/inloggen")
    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "<h1>Inloggen</h1>" in page
