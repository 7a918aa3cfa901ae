"""Contrast in the stylesheet (WCAG 2.2 AA), computed from app/static/style.css itself.

The keyboard focus indicator must stand out at least 3:1 (non-text contrast, 1.4.11) against
every background the stylesheet paints — the white page, the grey panels, the blue header and
buttons, the markers — and its colours, which touch, against each other. Text must reach 4.5:1:
a rule's text on its own background, and text without one on every background of the other
kind (dark text on each light background, light text on each dark one). axe-core checks the text
of the rendered pages in the browser tests too; this covers states a journey may not show.
"""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

STYLESHEET = Path(__file__).parents[2] / "app" / "static" / "style.css"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|var\(--[\w-]+\)")
NON_TEXT, TEXT = 3.0, 4.5


def _rules(css: str) -> list[tuple[str, dict[str, str]]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip()] = value.strip()
        rules.append((" ".join(selector.split()), declarations))
    return rules


RULES = _rules(STYLESHEET.read_text(encoding="utf-8"))
VARIABLES = {
    name: value for selector, decls in RULES if selector == ":root" for name, value in decls.items()
}


def _hex(token: str) -> str:
    if token.startswith("var("):
        token = VARIABLES[token[4:-1]]
    token = token.lower()
    return "#" + "".join(c * 2 for c in token[1:]) if len(token) == 4 else token


def colours(value: str) -> list[str]:
    return [_hex(token) for token in COLOUR.findall(value)]


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _background(decls: dict[str, str]) -> list[str]:
    return colours(decls.get("background", "") + " " + decls.get("background-color", ""))


BACKGROUNDS = sorted({c for _, decls in RULES for c in _background(decls)})
FOCUS_RING = sorted(
    {
        c
        for selector, decls in RULES
        if ":focus-visible" in selector
        for name in ("outline", "outline-color", "box-shadow")
        for c in colours(decls.get(name, ""))
    }
)


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(contrast("#ffbf47", "#ffffff"), 2) == 1.64  # the old focus ring on white
    assert colours("3px solid var(--brand)") == ["#00548a"]
    assert {"#ffffff", "#00548a", "#f2f5f8"} <= set(BACKGROUNDS)


def test_the_focus_ring_stands_out_on_every_background_the_stylesheet_paints():
    assert FOCUS_RING, "no :focus-visible rule with an outline or box-shadow colour"
    too_faint = [
        f"{background}: best {max(contrast(c, background) for c in FOCUS_RING):.2f}:1"
        for background in BACKGROUNDS
        if max(contrast(c, background) for c in FOCUS_RING) < NON_TEXT
    ]
    assert not too_faint, f"focus ring {FOCUS_RING} below {NON_TEXT}:1 on {too_faint}"
    for a, b in combinations(FOCUS_RING, 2):
        assert contrast(a, b) >= NON_TEXT, f"the ring's colours {a} and {b} blend"


def test_text_reaches_4_5_to_1_on_its_backgrounds():
    light = [b for b in BACKGROUNDS if luminance(b) > 0.18]
    dark = [b for b in BACKGROUNDS if luminance(b) <= 0.18]
    too_faint = []
    for selector, decls in RULES:
        for text in colours(decls.get("color", "")):
            own = _background(decls)
            behind = own or (light if luminance(text) <= 0.18 else dark)
            too_faint += [
                f"{selector}: {text} on {b} {contrast(text, b):.2f}:1"
                for b in behind
                if contrast(text, b) < TEXT
            ]
    assert not too_faint, "\n".join(too_faint)
