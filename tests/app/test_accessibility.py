"""Accessible HTML on every page, read from the markup (the browser tests run axe-core on top).

Every page the access walk reaches, as every role, and every form posted empty (the refused
page with its messages) is parsed: no attribute holds the text "None" (a value that was None,
written out by WTForms or a template — ``aria-invalid="None"`` makes a screen reader call the
field invalid), every id that an ``aria-*`` attribute or a label points at exists on the page,
``aria-invalid`` is only ever "true", and then only on a field whose description includes its
error message, and every field error is named by the ``aria-describedby`` of its field or group.
The pages are not listed here: new pages and forms are walked as soon as they exist.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from models import Role

from .forms import discover
from .helpers import login_as, page_token
from .routes import USERS, get_pages, scene_ids

ROLES = [None, *USERS]
ROLE_IDS = ["anonymous", *(r.value for r in USERS)]
ID_REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-owns", "for")


class _Elements(HTMLParser):
    """The start tags of a page: (tag, attributes), a valueless attribute as None."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _elements(body: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(body)
    parser.close()
    return parser.elements


def _show(tag: str, attrs: dict[str, str | None]) -> str:
    shown = " ".join(f'{k}="{v}"' if v is not None else k for k, v in attrs.items())
    return f"<{tag} {shown}>"


def markup_problems(body: str) -> list[str]:
    """What a screen reader would get wrong on this page."""
    elements = _elements(body)
    ids = {attrs["id"] for _, attrs in elements if attrs.get("id")}
    errors = {
        attrs["id"]
        for _, attrs in elements
        if attrs.get("id") and "error" in (attrs.get("class") or "").split()
    }
    described: set[str] = set()
    problems = []
    for tag, attrs in elements:
        for name, value in attrs.items():
            if value == "None":
                problems.append(f'{name}="None" (a value that was None): {_show(tag, attrs)}')
        for name in ID_REFERENCES:
            for ref in (attrs.get(name) or "").split():
                if ref not in ids:
                    problems.append(f"{name} names the missing id {ref!r}: {_show(tag, attrs)}")
        descriptions = set((attrs.get("aria-describedby") or "").split())
        described |= descriptions
        if "aria-invalid" in attrs:
            if attrs["aria-invalid"] != "true":
                problems.append(f"aria-invalid is only for invalid fields: {_show(tag, attrs)}")
            elif not descriptions & errors:
                problems.append(f"an invalid field without its error message: {_show(tag, attrs)}")
    for missing in sorted(errors - described):
        problems.append(f"the error message {missing!r} belongs to no field (aria-describedby)")
    return problems


def test_the_check_finds_what_a_screen_reader_would_get_wrong():
    broken = (
        '<label for="a">A</label><input id="a" aria-invalid="None" aria-describedby="None">'
        '<input id="b" aria-invalid="true">'
        '<input id="c" aria-describedby="c-hint"><p class="error" id="d-err">Fout</p>'
    )
    problems = markup_problems(broken)
    assert any('aria-invalid="None"' in p for p in problems)
    assert any('aria-describedby="None"' in p for p in problems)
    assert any("missing id 'None'" in p for p in problems)
    assert any("missing id 'c-hint'" in p for p in problems)
    assert any("without its error message" in p and 'id="b"' in p for p in problems)
    assert any("'d-err' belongs to no field" in p for p in problems)
    fine = (
        '<label for="a">A</label><p class="hint" id="a-hint">Tip</p>'
        '<input id="a" aria-describedby="a-hint a-err" aria-invalid="true" required>'
        '<p class="error" id="a-err">Fout</p><input id="b" required>'
    )
    assert markup_problems(fine) == []


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_no_page_renders_a_none_attribute_or_a_broken_aria_reference(
    app,
    client,
    world,
    scene,
    role,
):
    if role is not None:
        login_as(client, getattr(world, USERS[role]))
    problems = []
    checked = 0
    for url, response in get_pages(app, client, scene_ids(world, scene)):
        if response.mimetype == "text/html":
            problems += [f"{url}: {p}" for p in markup_problems(response.get_data(as_text=True))]
            checked += 1
    assert checked > 3
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_every_form_posted_empty_ties_each_message_to_its_field(
    app,
    client,
    world,
    variants,
    role: Role | None,
):
    """The tired user who presses the button without filling anything in: the refused page marks
    the fields with errors, and only those, as invalid, and reads them their message."""
    forms = discover(app, client, world, variants, role)
    problems = []
    invalid_fields = 0
    for form in forms:
        token = page_token(client, form.page if role is not None else "/inloggen")[1]
        response = client.post(form.action, data={form.csrf: token})
        body = response.get_data(as_text=True)
        if response.mimetype != "text/html" or not 400 <= response.status_code < 500:
            continue
        problems += [f"{form.endpoint} (empty): {p}" for p in markup_problems(body)]
        invalid_fields += body.count('aria-invalid="true"')
    assert not problems, "\n".join(problems)
    assert invalid_fields > 0  # the walk saw fields with errors, so the check was not empty
