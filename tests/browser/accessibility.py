"""axe-core in the real browser, over every page a browser journey visits.

The journeys do not call the check: it watches the page. Each document is checked once, the
first time the journey acts on it or asserts about it (a Playwright *locator handler* runs
before every action and every auto-waiting assertion), or, if the journey leaves it without
touching it, before ``page.goto`` (or ``reload``, ``go_back``) takes it away; the page a test
ends on is checked after the test. So a page added by a later journey is covered without a
line here. (A check cannot run while the next document is being requested: the browser does
not evaluate scripts in a page it is navigating away from.)

axe-core comes from the PyPI package axe-playwright-python (pinned in requirements-dev.txt),
which ships ``axe.min.js``; we only use that file. It is evaluated through the DevTools protocol,
which the page's Content-Security-Policy does not govern, so the app keeps its strict policy and
the journeys run under it. Serious and critical violations fail the test, listed with the page,
the rule, the elements and axe's explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error, Page

T = TypeVar("T")
BLOCKING = ("serious", "critical")
CHECKED = "data-axe-checked"  # set on <html> once its document has been checked

# True for an HTML document not checked before, which it marks as checked.
MARK = f"""() => {{
  const root = document.documentElement;
  if (!root || root.hasAttribute("{CHECKED}")) return false;
  root.setAttribute("{CHECKED}", "");
  return document.contentType === "text/html";
}}"""
# Runs in the page: waits until the document has loaded, then axe over the whole document.
RUN_AXE = """async (blocking) => {
  if (document.readyState !== "complete") {
    await new Promise((done) => window.addEventListener("load", done, { once: true }));
  }
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((v) => blocking.includes(v.impact))
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html,
                                   summary: n.failureSummary })),
    }));
}"""


@dataclass
class AccessibilityWatch:
    """Checks every document shown in ``page`` with axe and collects what it finds."""

    page: Page
    checked: list[str] = field(default_factory=list)  # the paths, in order
    problems: list[str] = field(default_factory=list)

    def start(self) -> None:
        unchecked = self.page.locator(f"html:not([{CHECKED}])")
        self.page.add_locator_handler(unchecked, lambda _: self.check())
        for name in ("goto", "reload", "go_back", "go_forward"):
            setattr(self.page, name, self._checking_first(getattr(self.page, name)))

    def _checking_first(self, navigate: Callable[..., T]) -> Callable[..., T]:
        def navigate_after_the_check(*args: Any, **kwargs: Any) -> T:
            self.check()
            return navigate(*args, **kwargs)

        return navigate_after_the_check

    def check(self) -> None:
        """Check the current document, once."""
        url = self.page.url
        if urlsplit(url).scheme not in ("http", "https"):
            return
        try:
            # Marked first, in one step: the locator handler sees the document as done even
            # if axe fails, and no document is checked twice.
            if not self.page.evaluate(MARK):
                return
            if self.page.evaluate("() => typeof window.axe === 'undefined'"):
                self.page.evaluate(AXE_SCRIPT)
            violations = self.page.evaluate(RUN_AXE, list(BLOCKING))
        except Error as error:
            self.problems.append(f"{_path(url)}: axe could not check the page: {error.message}")
            return
        self.checked.append(_path(url))
        self.problems.extend(_describe(_path(url), v) for v in violations)

    def report(self) -> str:
        """Each problem once, however often the journey came by the page."""
        problems = list(dict.fromkeys(self.problems))
        return (
            f"axe-core found {len(problems)} serious or critical accessibility problem(s) on "
            f"the pages of this journey (checked: {', '.join(dict.fromkeys(self.checked))}):"
            "\n\n" + "\n\n".join(problems)
        )


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _describe(path: str, violation: dict[str, object]) -> str:
    nodes = violation["nodes"]
    assert isinstance(nodes, list)
    lines = [
        f"{path}: {violation['id']} ({violation['impact']}): {violation['help']}"
        f" [{violation['helpUrl']}]"
    ]
    for node in nodes[:5]:
        lines.append(f"    {node['target']}: {node['html'][:200]}")
        lines.extend(f"      {line}" for line in str(node["summary"]).splitlines())
    if len(nodes) > 5:
        lines.append(f"    ... and {len(nodes) - 5} more element(s)")
    return "\n".join(lines)
