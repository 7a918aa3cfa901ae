"""The 317 verzoek om wijziging: a scaling request the gids decides, answered by the 301s of
the conversion (the follow-up's carrying the reference) or by a 319 afgewezen; the checks
across messages name their codes, and another provider's toewijzing gets exactly the answer of
an unknown number."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Domain,
    Intensity,
    MessageState,
    ScalingRequest,
    SubmissionState,
    Trajectory,
    TrajectoryState,
    VerzoekState,
)
from tests.berichten.request_xml import Change, New, message_317
from tests.factories import TODAY, World, make_trajectory
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import errors_of
from workflows.berichten.xml import read, text_of
from workflows.scaling import decide_scaling, open_request
from workflows.trajectories import close

from .requests_helpers import (
    answer_of,
    outgoing_of_kind,
    receive_ok,
    retour_codes,
    valid,
    verzoeken,
    with_product_codes,
)

PRODUCT = "Client/ToegewezenProducten/ToegewezenProduct"
VERZOEK = "Client/Verzoek"
TE_WIJZIGEN = "Client/Verzoek/TeWijzigenProducten/TeWijzigenProduct"
ZWAAR = 5400  # begeleiding zwaar from 2021, in euros


@pytest.fixture
def town(session: Session, messaging: World) -> World:
    return with_product_codes(session, messaging)


@pytest.fixture
def running(session: Session, town: World) -> Trajectory:
    """Anna's begeleiding (middel) with Zorg A, care started, its 301 sent."""
    return make_trajectory(session, town, TrajectoryState.ACTIEF)


def _scalings(session: Session) -> list[ScalingRequest]:
    return list(session.scalars(select(ScalingRequest).order_by(ScalingRequest.id)))


def _to_zwaar(running: Trajectory, **overrides: object) -> bytes:
    values: dict = {
        "reference": "VOW-1",
        "changed": (Change(running.id, euros=ZWAAR),),
    }
    values.update(overrides)
    return message_317(Domain.WMO, running.provider.agb_code, **values)


def test_a_317_becomes_a_scaling_request_by_the_providers_system(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    message, retour = receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    assert message.state == MessageState.VERWERKT
    assert retour is not None and retour.kind == "318"
    valid(schemas, retour)
    assert retour_codes(retour, VERZOEK) == ["0200"]
    assert retour_codes(retour, TE_WIJZIGEN) == ["0200"]
    request = open_request(session, running)
    assert request is not None
    assert (request.new_profile_id, request.new_intensity) == (town.bg.id, Intensity.ZWAAR)
    assert request.requested_by.provider_id == town.zorg_a.id
    assert "VOW-1" in request.reason
    [verzoek] = verzoeken(session)
    assert (verzoek.kind, verzoek.state) == ("317", VerzoekState.OPEN)
    assert verzoek.scaling_request_id == request.id and verzoek.trajectory_id == running.id


def test_accepting_sends_the_301s_and_the_follow_ups_carries_the_reference(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    request = open_request(session, running)
    assert request is not None
    follow_up = decide_scaling(
        session, request, town.gids, accept=True, reason="Akkoord", today=TODAY
    )
    assert follow_up is not None
    first, ending, new = outgoing_of_kind(session, town.zorg_a, "301")
    for message in (ending, new):
        valid(schemas, message)
    assert text_of(read(ending.body).root, f"{PRODUCT}/ToewijzingNummer") == str(running.id)
    assert text_of(read(ending.body).root, f"{PRODUCT}/ReferentieAanbieder") is None
    new_root = read(new.body).root
    assert text_of(new_root, f"{PRODUCT}/ToewijzingNummer") == str(follow_up.id)
    assert text_of(new_root, f"{PRODUCT}/ReferentieAanbieder") == "VOW-1"
    assert outgoing_of_kind(session, town.zorg_a, "319") == []
    [verzoek] = verzoeken(session)
    assert verzoek.state == VerzoekState.TOEGEWEZEN


def test_refusing_answers_with_a_319_afgewezen(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    request = open_request(session, running)
    assert request is not None
    decide_scaling(session, request, town.gids, accept=False, reason="Middel volstaat", today=TODAY)
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    valid(schemas, answer)
    assert answer_of(answer) == ("VOW-1", "1", "7")
    assert answer.trajectory_id == running.id
    [verzoek] = verzoeken(session)
    assert (verzoek.state, verzoek.refusal_code) == (VerzoekState.AFGEWEZEN, "7")


def test_another_providers_toewijzing_gets_the_answer_of_an_unknown_number(
    session: Session, town: World, schemas: Schemas
) -> None:
    theirs = make_trajectory(
        session,
        town,
        TrajectoryState.ACTIEF,
        provider_id=town.zorg_b.id,
        provider_user=town.aanbieder_b,
    )
    answers = []
    for number, identification in ((theirs.id, "317-1"), (theirs.id + 999, "317-2")):
        body = message_317(
            Domain.WMO,
            town.zorg_a.agb_code,
            reference=f"VOW-{identification}",
            identification=identification,
            changed=(Change(number, euros=ZWAAR),),
        )
        message, retour = receive_ok(session, town.zorg_a, body, schemas)
        assert message.state == MessageState.GEWEIGERD
        assert retour is not None
        valid(schemas, retour)
        answers.append(
            (
                retour_codes(retour, TE_WIJZIGEN),
                retour_codes(retour, VERZOEK),
                [(e.code, e.text) for e in errors_of(message)],
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == ["9351"]
    assert _scalings(session) == []


def test_all_current_toewijzingen_must_be_named(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    other = make_trajectory(
        session, town, TrajectoryState.ACTIEF, profile_id=town.hh.id, intensity=Intensity.LAAG
    )
    message, retour = receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    assert retour_codes(retour, VERZOEK) == ["9349"]
    body = _to_zwaar(running, identification="317-2", unchanged=(other.id,))
    message, _retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert open_request(session, running) is not None


def test_an_unchanged_product_must_be_a_current_toewijzing(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    body = _to_zwaar(running, unchanged=(running.id + 999,))
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    unchanged = "Client/Verzoek/OngewijzigdeProducten/OngewijzigdProduct"
    assert retour_codes(retour, unchanged) == ["9350"]


def test_a_second_request_while_one_is_open_is_refused(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    body = _to_zwaar(running, reference="VOW-2", identification="317-2")
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    valid(schemas, retour)
    assert retour_codes(retour, VERZOEK) == ["9374"]
    assert len(_scalings(session)) == 1


def test_a_reference_used_before_is_refused(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    request = open_request(session, running)
    assert request is not None
    decide_scaling(session, request, town.gids, accept=False, reason="Nee", today=TODAY)
    body = _to_zwaar(running, identification="317-2")
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    assert retour_codes(retour, VERZOEK) == ["9360"]


def test_a_desired_start_in_the_past_must_be_the_toewijzings_own(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    body = _to_zwaar(running, changed=(Change(running.id, start=TODAY, euros=ZWAAR),))
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    assert retour_codes(retour, TE_WIJZIGEN) == ["9357"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"changed": (), "unchanged": "running", "new": (New("02", "WBG", euros=ZWAAR),)}, "1"),
        ({"changed": ("end-only",)}, "4"),
        ({"changed": ("volume",)}, "4"),
        (
            {
                "new": (New("01", "WHH", euros=2600), New("02", "WBG", euros=ZWAAR)),
                "changed": ("end",),
            },
            "4",
        ),
        ({"new": (New("07", "WDB", euros=6200),), "changed": ("end",)}, "3"),
    ],
    ids=["only-new-products", "only-the-end", "no-tariff", "two-new-products", "no-product"],
)
def test_what_the_catalogue_cannot_express_is_refused_at_once_with_its_reason(
    session: Session,
    town: World,
    running: Trajectory,
    schemas: Schemas,
    overrides: dict,
    code: str,
) -> None:
    shapes = {
        "end-only": Change(running.id, end=running.planned_end),
        "volume": Change(running.id, euros=1234),
        "end": Change(running.id, end=TODAY),
    }
    if overrides["changed"]:
        overrides["changed"] = tuple(shapes[c] for c in overrides["changed"])
    if overrides.get("unchanged") == "running":
        overrides["unchanged"] = (running.id,)
    body = _to_zwaar(running, **overrides)
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert retour is not None
    valid(schemas, retour)
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    valid(schemas, answer)
    assert answer_of(answer) == ("VOW-1", "1", code)
    assert _scalings(session) == []


def test_a_change_of_profile_by_a_new_product_is_requested(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    body = _to_zwaar(
        running,
        changed=(Change(running.id, end=TODAY),),
        new=(New("01", "WHH", euros=2600),),
    )
    message, _retour = receive_ok(session, town.zorg_a, body, schemas)
    # hulp bij het huishouden is Wmo category 01: the same domain, a contract, zwaar € 2.600
    assert message.state == MessageState.VERWERKT
    request = open_request(session, running)
    assert request is not None
    assert (request.new_profile_id, request.new_intensity) == (town.hh.id, Intensity.ZWAAR)


def test_the_same_317_twice_changes_nothing(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    first, first_retour = receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    again, again_retour = receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    assert first.id == again.id
    assert first_retour is not None and again_retour is not None
    assert first_retour.body == again_retour.body
    assert [r.state for r in _scalings(session)] == [SubmissionState.INGEDIEND]


def test_a_jeugd_317_meets_the_jw318_schema(
    session: Session, town: World, schemas: Schemas
) -> None:
    child = make_trajectory(
        session,
        town,
        TrajectoryState.ACTIEF,
        resident_id=town.child.id,
        profile_id=town.amb.id,
        intensity=Intensity.MIDDEL,
    )
    body = message_317(
        Domain.JEUGD,
        town.zorg_a.agb_code,
        reference="JVOW-1",
        bsn=town.child.bsn,
        changed=(Change(child.id, euros=9300),),
    )
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert retour is not None
    valid(schemas, retour)
    request = open_request(session, child)
    assert request is not None and request.new_intensity == Intensity.ZWAAR


def test_a_request_open_when_the_trajectory_closes_lapses_with_a_319(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    receive_ok(session, town.zorg_a, _to_zwaar(running), schemas)
    with freeze_time(TODAY):
        close(
            session,
            running,
            town.gids,
            care_end=TODAY,
            closure_category=ClosureCategory.A,
            end_reason_code="19",
            result_achieved=True,
            today=TODAY,
        )
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    valid(schemas, answer)
    assert answer_of(answer) == ("VOW-1", "1", "7")
    assert answer.dated_on == TODAY


def test_its_own_toewijzing_named_for_another_client_is_unknown_too(
    session: Session, town: World, running: Trajectory, schemas: Schemas
) -> None:
    body = _to_zwaar(running, bsn=town.child.bsn)
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    assert retour_codes(retour, TE_WIJZIGEN) == ["9351"]
    assert _scalings(session) == []
