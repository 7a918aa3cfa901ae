"""Typed text, cleaned in one place before a workflow stores it (names, notes, reasons).

Surrounding white space goes, and so do characters nobody types on purpose:

* invisible *format* characters (Unicode category Cf): the bidirectional embeddings,
  overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F,
  U+061C), zero-width spaces and joiners, the byte-order mark, the soft hyphen and the tag
  characters. They make text show in another order than it was stored — a resident named
  "Jan\\u202eevil" appears in every list as "Janlive" — or hide text from the reader, a way to
  mislead a colleague who reads a list or a PDF. A name here is written in a Latin script, which
  needs none of them.
* control characters other than tab and line breaks (C0, DEL, C1). Nobody types those
  either, so the web layer refuses a form that holds one before a form sees it
  (``app/security.py``, with ``has_control_characters``); the command line and other callers
  get them removed here.

Everything else, accents and all, stays exactly as typed.
"""

from __future__ import annotations

import unicodedata

KEPT_CONTROLS = frozenset("\t\n\r")


def _is_control(ch: str) -> bool:
    """A control character no person types: C0 but tab and line breaks, DEL, C1, and a lone
    surrogate (half of a character, never text on its own)."""
    category = unicodedata.category(ch)
    return (category == "Cc" and ch not in KEPT_CONTROLS) or category == "Cs"


def _kept(ch: str) -> bool:
    return unicodedata.category(ch) != "Cf" and not _is_control(ch)


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a control character no person types (see ``_is_control``)."""
    return not text.isprintable() and any(_is_control(ch) for ch in text)


def strip_invisible(text: str) -> str:
    """``text`` without format and control characters (tab and line breaks stay)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without looking at each character
    return "".join(ch for ch in text if _kept(ch))


def clean_text(text: str | None) -> str | None:
    """Typed text as it is stored: without invisible characters and surrounding white space;
    None when nothing is left."""
    if text is None:
        return None
    cleaned = strip_invisible(text).strip()
    return cleaned or None
