"""The accessibility checks themselves, in Chromium: axe-core finds what it must and says where,
under the application's own Content-Security-Policy; and keyboard focus shows a ring that
stands out at least 3:1 on whatever lies behind each element, on real pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from app.security import CONTENT_SECURITY_POLICY

from ..factories import World
from .accessibility import AccessibilityWatch
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "http://a11y.test"
BROKEN = """<!doctype html><html lang="nl"><head><title>Formulier</title></head><body><main>
<h1>Formulier</h1>
<label for="naam">Naam</label><input id="naam" name="naam" aria-invalid="None">
<img src="/foto.png">
</main></body></html>"""
FINE = """<!doctype html><html lang="nl"><head><title>Goed</title></head><body><main>
<h2>Geen h1: matig, niet ernstig</h2><a href="/formulier">Formulier</a></main></body></html>"""


def _serve(route: Route) -> None:
    """Pages under the application's Content-Security-Policy: no inline script may run."""
    body = BROKEN if route.request.url.endswith("/formulier") else FINE
    route.fulfill(
        status=200,
        content_type="text/html",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        body=body,
    )


def test_the_axe_check_names_page_rule_and_element_of_each_serious_violation(
    context: BrowserContext,
) -> None:
    page = context.new_page()
    page.route(f"{SITE}/**", _serve)
    watch = AccessibilityWatch(page)
    watch.start()

    page.goto(f"{SITE}/goed")
    page.goto(f"{SITE}/formulier")  # leaving an untouched page checks it first
    page.get_by_label("Naam").fill("Anna")  # the first action on a page checks it
    page.get_by_label("Naam").fill("Bram")  # once

    assert watch.checked == ["/goed", "/formulier"]
    report = watch.report()
    assert "found 2 serious or critical" in report, report
    assert "/formulier: aria-valid-attr-value (critical)" in report
    assert re.search(r'#naam: <input [^\n]*aria-invalid="None"', report)
    assert 'Invalid ARIA attribute value: aria-invalid="None"' in report
    assert "/formulier: image-alt (critical)" in report
    assert "/goed" not in "\n".join(watch.problems)  # a moderate finding does not count
    page.close()


RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = "rgb(255, 255, 255)";
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { behind = colour; break; }
  }
  return {
    element: element.outerHTML.slice(0, 120),
    outline: style.outlineStyle === "none" ? "" : style.outlineColor,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    shadow: style.boxShadow === "none" ? "" : style.boxShadow,
    behind,
  };
}"""


def _rgb(text: str) -> list[tuple[int, int, int]]:
    return [
        (int(r), int(g), int(b))
        for r, g, b in re.findall(r"rgba?\((\d+), (\d+), (\d+)(?:, 1)?\)", text)
    ]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _faint_focus_rings(page: Page) -> tuple[int, list[str]]:
    """Tab through the page; every focused element's ring (outline and box-shadow colours) must
    have a colour with 3:1 against the background behind the element."""
    faint, seen = [], []
    for _ in range(200):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if ring["element"] in seen[:1]:
            break  # round the page once
        seen.append(ring["element"])
        if ring["element"].startswith("<body"):
            continue
        colours = _rgb(ring["outline"] if ring["outlineWidth"] >= 2 else "") + _rgb(ring["shadow"])
        behind = _rgb(ring["behind"])[0]
        best = max((_contrast(c, behind) for c in colours), default=1.0)
        if best < 3:
            faint.append(f"{ring['element']} on {ring['behind']}: {best:.2f}:1")
    return len(seen), faint


def test_keyboard_focus_stands_out_on_the_header_fields_and_buttons(
    page: Page, live_server: str, live_world: World
) -> None:
    page.goto(f"{live_server}/inloggen")
    focused, faint = _faint_focus_rings(page)
    assert focused >= 5 and not faint, faint  # skip link, logo, two fields, button, language

    log_in(page, live_server, live_world.gids.email)
    page.get_by_role("heading", name="Mijn caseload").click()  # focus starts at the top again
    focused, faint = _faint_focus_rings(page)
    assert focused >= 10 and not faint, faint  # the blue menu, the grey filters, buttons
