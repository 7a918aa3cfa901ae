"""A trajectory in plain Dutch: the timeline without ISO dates or field names, reason codes as
"code – meaning" for the gids and the provider, "Vervolg op" naming the trajectory, the scaling
request's follow-up shown before deciding, the live tariff endpoint, and moving the planned
start with the choice whether the planned end moves along."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

from models import (
    ClosureCategory,
    Intensity,
    NeedType,
    ScalingRequest,
    Trajectory,
    TrajectoryState,
)
from workflows import trajectories as wf
from workflows.closure import report_end_of_care
from workflows.scaling import FollowUpPreview, decide_scaling, follow_up_preview, request_scaling

from ..factories import make_trajectory, trajectory_input
from .care import NOW, active, assert_dutch
from .helpers import checked_value, input_value, login_as, post_form, select_options

S = TrajectoryState
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
RAW_NAMES = (
    "planned_start",
    "planned_end",
    "provider_id",
    "profile_id",
    "tariff_id",
    "decision_end",
    "intensity:",
    "price:",
    "None",
)
OMGEZET = "37 – In verband met wijzigingsverzoek (omgezet)"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def _timeline(body: str) -> str:
    start = body.index('<ol class="timeline">')
    return body[start : body.index("</ol>", start)]


def _assert_plain(timeline: str) -> None:
    assert not ISO.search(timeline), ISO.findall(timeline)
    for raw in RAW_NAMES:
        assert raw not in timeline, raw


def _dutch(day: date) -> str:
    return day.strftime("%d-%m-%Y")


# --- the timeline ----------------------------------------------------------------------------


def test_an_edit_reads_in_plain_dutch(client, world, session):
    t = make_trajectory(session, world, S.CONCEPT, planned_start=NOW + timedelta(days=7))
    old_start, old_end = t.planned_start, t.planned_end
    data = trajectory_input(
        world,
        planned_start=NOW + timedelta(days=14),
        intensity=Intensity.ZWAAR,
        provider_id=world.zorg_b.id,
        planned_end=old_end,
    )
    wf.update_trajectory(session, t, data, world.gids, today=NOW)
    session.flush()
    login_as(client, world.gids)
    timeline = _timeline(client.get(f"/gids/trajecten/{t.id}").get_data(as_text=True))
    _assert_plain(timeline)
    new_start = _dutch(NOW + timedelta(days=14))
    assert f"geplande start: {_dutch(old_start)} → {new_start}" in timeline
    assert "aanbieder: Zorg A → Zorg B" in timeline
    assert "intensiteit: Middel → Zwaar" in timeline
    assert "trajectprijs: € 3.800,00 → € 5.400,00" in timeline
    assert "andere tariefversie" in timeline


@pytest.fixture
def converted(session, world) -> tuple[Trajectory, Trajectory]:
    """Anna's running trajectory, scaled up: it closed with reason 37, the follow-up runs."""
    t = active(session, world)
    asked = request_scaling(
        session, t, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", NOW
    )
    follow_up = decide_scaling(session, asked, world.gids, accept=True, reason=None, today=NOW)
    assert follow_up is not None
    session.flush()
    return t, follow_up


@pytest.mark.parametrize("side", ["gids", "aanbieder"])
def test_a_closed_trajectory_shows_its_reason_with_its_meaning(client, world, converted, side):
    old, follow_up = converted
    login_as(client, world.gids if side == "gids" else world.aanbieder_a)
    body = client.get(f"/{side}/trajecten/{old.id}").get_data(as_text=True)
    timeline = _timeline(body)
    _assert_plain(timeline)
    assert f"reden {OMGEZET}" in timeline
    assert "categorie c. Doorverwezen naar vervolghulp (met beschikking)" in timeline
    facts = body[body.index('<dl class="facts">') : body.index("<h2>")]
    assert f"reden {OMGEZET}" in facts
    assert f"vervolgtraject {follow_up.id}" not in timeline


@pytest.mark.parametrize("side", ["gids", "aanbieder"])
def test_vervolg_op_names_and_links_the_trajectory(client, world, converted, side):
    old, follow_up = converted
    login_as(client, world.gids if side == "gids" else world.aanbieder_a)
    body = client.get(f"/{side}/trajecten/{follow_up.id}").get_data(as_text=True)
    named = f"Begeleiding individueel · {_dutch(old.planned_start)} – {_dutch(old.planned_end)}"
    assert f'<dt>Vervolg op</dt><dd><a href="/{side}/trajecten/{old.id}">{named}</a></dd>' in body
    timeline = _timeline(body)
    _assert_plain(timeline)
    assert f"vervolg op {named}" in timeline
    assert f"traject {old.id}" not in timeline


def test_an_extension_shows_the_change_reason(client, world, session):
    t = active(session, world)
    assert t.decision_end is not None
    wf.extend_decision(
        session,
        t,
        world.gids,
        new_end=t.decision_end + timedelta(days=60),
        reason="Nog nodig",
        today=NOW,
    )
    session.flush()
    login_as(client, world.gids)
    timeline = _timeline(client.get(f"/gids/trajecten/{t.id}").get_data(as_text=True))
    _assert_plain(timeline)
    assert "reden 04 – Herbeoordeling: verlenging" in timeline


# --- reason codes elsewhere ------------------------------------------------------------------


def test_the_end_of_care_report_and_the_close_forms_show_code_and_meaning(client, world, session):
    t = active(session, world)
    report = report_end_of_care(
        session,
        t,
        world.aanbieder_a,
        care_end=NOW,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=NOW,
    )
    session.flush()
    login_as(client, world.gids)
    body = client.get(f"/gids/einde-zorg/{report.id}").get_data(as_text=True)
    assert "<dd>19 – Volgens plan beëindigd</dd>" in body
    close_page = client.get(f"/gids/trajecten/{t.id}/afsluiten").get_data(as_text=True)
    options = select_options(close_page, "close-end_reason_code")
    labels = {value: label for value, label, _s in options}
    assert labels["19"] == "19 – Volgens plan beëindigd"
    assert labels["37"] == OMGEZET
    table = close_page[close_page.index('class="closure-rules"') :]
    assert "19 – Volgens plan beëindigd" in table[: table.index("</table>")]


def test_a_jeugd_code_reads_from_the_jeugd_list(client, world, session):
    t = active(session, world, resident_id=world.child.id, profile_id=world.amb.id)
    login_as(client, world.aanbieder_a)
    body = client.get(f"/aanbieder/trajecten/{t.id}/einde-zorg").get_data(as_text=True)
    labels = {value: label for value, label, _s in select_options(body, "end_reason_code")}
    assert labels["31"] == "31 – Volgens plan beëindigd"  # JZ588, not WMO588's 31


# --- the scaling request, before deciding -----------------------------------------------------


def test_the_scaling_request_shows_the_follow_ups_price_end_and_provider(client, world, session):
    t = active(session, world)
    asked = request_scaling(
        session, t, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", NOW
    )
    session.flush()
    preview = follow_up_preview(session, asked, NOW)
    assert isinstance(preview, FollowUpPreview)
    assert preview.price == Decimal("5400.00") and preview.planned_start == NOW + timedelta(1)
    login_as(client, world.gids)
    url = f"/gids/opschalingen/{asked.id}"
    body = client.get(url).get_data(as_text=True)
    shown = body[body.index("follow-up-preview") : body.index("</dl>", body.index("follow-up"))]
    assert "€ 5.400,00" in shown and "Zwaar" in shown
    assert f"{_dutch(preview.planned_start)} – {_dutch(preview.planned_end)}" in shown
    assert "Zorg A" in shown
    assert post_form(client, url, url, {"decision": "ja"}).status_code == 302
    session.expire_all()
    item = session.get(ScalingRequest, asked.id)
    made = session.get(Trajectory, item.follow_up_id)
    assert (made.price, made.planned_end, made.provider_id) == (
        preview.price,
        preview.planned_end,
        world.zorg_a.id,
    )
    decided = client.get(url).get_data(as_text=True)
    assert "follow-up-preview" not in decided
    named = f"Begeleiding individueel · {_dutch(made.planned_start)}"
    assert f'<a href="/gids/trajecten/{made.id}">{named}' in decided


# --- the live tariff -------------------------------------------------------------------------


def _tariff(client, world, **args):
    query = {"profiel": world.bg.id, "intensiteit": "middel", "inwoner": world.adult.id}
    query.update(args)
    return client.get("/gids/tarief", query_string=query)


def test_the_tariff_follows_the_version_valid_on_the_start(client, world):
    login_as(client, world.gids)
    before = _tariff(client, world, start="2020-06-01")
    after = _tariff(client, world, start="01-02-2021")
    assert before.status_code == after.status_code == 200
    assert before.json["tarief"]["bedrag"] == "3500.00"
    assert after.json["tarief"]["bedrag"] == "3800.00"
    assert after.json["tarief"]["prijs"] == "€ 3.800,00"
    assert "Tarief: € 3.800,00" in after.json["tarief"]["tekst"]
    assert [p["naam"] for p in after.json["aanbieders"]] == [
        "Zorg A (AGB 12345678)",
        "Zorg B (AGB 87654321)",
    ]
    last_day = _tariff(client, world, start="2020-12-31").json["tarief"]["bedrag"]
    assert last_day == "3500.00"


def test_the_tariff_answer_names_the_need_type_the_profile_starts_with(client, world, session):
    login_as(client, world.gids)
    assert _tariff(client, world, start="2026-12-01").json["behoefte"] == "eindig"
    world.bg.need_type_default = NeedType.BLIJVEND
    session.flush()
    assert _tariff(client, world, start="2026-12-01").json["behoefte"] == "blijvend"
    other = _tariff(client, world, start="2026-12-01", profiel=world.hh.id, intensiteit="laag")
    assert other.json["behoefte"] == "eindig"


def test_the_providers_follow_the_contracts_on_the_start(client, world):
    login_as(client, world.gids)
    old = _tariff(client, world, profiel=world.hh.id, intensiteit="laag", start="2020-06-01")
    new = _tariff(client, world, profiel=world.hh.id, intensiteit="laag", start="2021-06-01")
    assert "Zorg D" in str(old.json["aanbieders"]) and "Zorg D" not in str(new.json["aanbieders"])
    none = _tariff(client, world, profiel=world.hh.id, intensiteit="middel", start="2021-06-01")
    assert none.status_code == 200 and none.json["tarief"] is None
    assert "Toegestane intensiteiten" in none.json["melding"]


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ({"profiel": "abc"}, 400),
        ({"profiel": ""}, 400),
        ({"profiel": "99999999"}, 400),
        ({"intensiteit": "groot"}, 400),
        ({"start": "2026-13-45"}, 400),
        ({"start": "morgen"}, 400),
        ({"start": "1800-01-01"}, 400),
        ({"inwoner": ""}, 400),
        ({"inwoner": "x" * 5000}, 400),
        ({"inwoner": "99999999"}, 404),
    ],
)
def test_bad_input_gets_a_dutch_message(client, world, args, status):
    login_as(client, world.gids)
    response = _tariff(client, world, **({"start": "2026-12-01"} | args))
    assert response.status_code == status
    assert_dutch(response.json["fout"])


@pytest.mark.parametrize("who", ["aanbieder_a", "manager", "beheerder"])
def test_only_a_gids_may_ask_the_tariff(client, world, who):
    login_as(client, getattr(world, who))
    assert _tariff(client, world, start="2026-12-01").status_code == 403


def test_without_login_the_tariff_is_not_given(client, world):
    response = _tariff(client, world, start="2026-12-01")
    assert response.status_code in (302, 401) and b"3800" not in response.data


def test_the_form_loads_its_script_from_a_file_and_works_without_it(client, world, session):
    login_as(client, world.gids)
    url = f"/gids/inwoners/{world.adult.id}/trajecten/nieuw"
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert '<script src="/static/trajectory-form.js" defer></script>' in body
    assert "<script>" not in body and " onchange=" not in body
    assert 'data-tariff-url="/gids/tarief"' in body
    # Without the script: the button recomputes on the server.
    from .helpers import csrf_token

    name, token = csrf_token(page)
    shown = client.post(
        url,
        data={
            name: token,
            "profile_id": str(world.bg.id),
            "intensity": "zwaar",
            "planned_start": NOW.isoformat(),
            "refresh": "Tarief en aanbieders tonen",
        },
    ).get_data(as_text=True)
    assert "Tarief: € 5.400,00" in shown
    assert "Zorg B (AGB 87654321)" in shown


# --- moving the planned start ----------------------------------------------------------------


@pytest.fixture
def concept(session, world) -> Trajectory:
    t = make_trajectory(session, world, S.CONCEPT, planned_start=NOW + timedelta(days=7))
    session.flush()
    return t


def _edit(concept: Trajectory, world, **overrides) -> dict[str, str]:
    data = {
        "profile_id": str(world.bg.id),
        "intensity": "middel",
        "planned_start": (concept.planned_start + timedelta(days=10)).isoformat(),
        "provider_id": str(world.zorg_a.id),
        "subcontractor_id": "",
        "need_type": "eindig",
        "planned_end": concept.planned_end.isoformat(),
        "price": "",
        "price_reason": "",
        "results-0-description": "Anna doet zelf haar administratie",
        "results-0-measure": "",
        "version": str(concept.version),
        "submit": "Opslaan als concept",
    }
    data.update(overrides)
    return data


def test_moving_the_start_asks_about_the_end(client, world, session, concept):
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    page = client.get(url).get_data(as_text=True)
    assert 'id="end-shift"' in page and "Einddatum blijft staan" in page
    for choice in ("", "iets-anders"):
        response = post_form(client, url, url, _edit(concept, world, end_shift=choice))
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "kies of de geplande einddatum meeschuift of blijft staan" in body
        assert 'id="end_shift-err"' in body
    session.expire_all()
    assert session.get(Trajectory, concept.id).planned_start == NOW + timedelta(days=7)


@pytest.mark.parametrize(("choice", "shift"), [("blijft_staan", 0), ("verschuift_mee", 10)])
def test_the_end_stays_or_moves_along(client, world, session, concept, choice, shift):
    old_end = concept.planned_end
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    response = post_form(client, url, url, _edit(concept, world, end_shift=choice))
    assert response.status_code == 302
    session.expire_all()
    t = session.get(Trajectory, concept.id)
    assert t.planned_start == NOW + timedelta(days=17)
    assert t.planned_end == old_end + timedelta(days=shift)


def test_an_end_typed_by_the_gids_is_taken_as_typed(client, world, session, concept):
    typed = concept.planned_end + timedelta(days=3)
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    data = _edit(concept, world, planned_end=typed.isoformat(), end_shift="verschuift_mee")
    assert post_form(client, url, url, data).status_code == 302
    session.expire_all()
    assert session.get(Trajectory, concept.id).planned_end == typed


def test_an_unmoved_start_asks_nothing(client, world, session, concept):
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    data = _edit(concept, world, planned_start=concept.planned_start.isoformat(), intensity="laag")
    assert post_form(client, url, url, data).status_code == 302


def test_editing_never_changes_the_need_type_by_itself(client, world, session, concept):
    assert concept.need_type == NeedType.EINDIG
    world.bg.need_type_default = NeedType.BLIJVEND
    session.flush()
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    page = client.get(url).get_data(as_text=True)
    assert checked_value(page, "need_type") == "eindig"
    assert input_value(page, "need_type_preset") == ""
    # the button, even with a mark that claims the need type was only preselected
    data = _edit(concept, world, refresh="1", need_type_preset="eindig")
    data.pop("submit")
    body = post_form(client, url, url, data).get_data(as_text=True)
    assert checked_value(body, "need_type") == "eindig"
    assert input_value(body, "need_type_preset") == ""
    saved = _edit(
        concept, world, planned_start=concept.planned_start.isoformat(), need_type_preset="eindig"
    )
    assert post_form(client, url, url, saved).status_code == 302
    session.expire_all()
    assert session.get(Trajectory, concept.id).need_type == NeedType.EINDIG


def test_the_workflow_moves_the_end_along(session, world, concept):
    old_end = concept.planned_end
    data = wf.input_of(concept)
    data.planned_start = concept.planned_start + timedelta(days=5)
    data.price = None
    wf.update_trajectory(session, concept, data, world.gids, today=NOW, end_follows_start=True)
    assert concept.planned_end == old_end + timedelta(days=5)


def test_the_tariff_endpoint_takes_no_post_and_never_fails(client, world):
    login_as(client, world.gids)
    assert client.post("/gids/tarief", data={"profiel": world.bg.id}).status_code in (400, 405)
    odd = _tariff(client, world, start="2026-12-01", profiel="١٢")  # Arabic-Indic digits
    assert odd.status_code == 400
