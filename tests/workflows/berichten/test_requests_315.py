"""The 315 verzoek om toewijzing: it becomes an aanmelding for the right gids; the gids's
decision answers it (a 301 carrying the reference, or a 319 afgewezen); the checks across
messages name their codes; the same message twice changes nothing. Every retour and answer
meets its schema (a Wmo retour as its Jeugd twin)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workflows.trajectories as wf
from models import (
    Aanmelding,
    AanmeldingOutcome,
    Domain,
    Intensity,
    MessageState,
    NeedType,
    ReferrerType,
    Resident,
    TrajectoryState,
    VerzoekState,
)
from tests.berichten.request_xml import Product, message_315
from tests.factories import TODAY, World, make_trajectory
from workflows.aanmeldingen import decide_aanmelding
from workflows.berichten.answers import answer_in_onderzoek
from workflows.berichten.requests import choose_gids, requested_terms
from workflows.berichten.schemas import Schemas
from workflows.berichten.xml import read, text_of

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


@pytest.fixture
def town(session: Session, messaging: World) -> World:
    return with_product_codes(session, messaging)


def _aanmeldingen(session: Session) -> list[Aanmelding]:
    return list(session.scalars(select(Aanmelding).order_by(Aanmelding.id)))


def test_a_jeugd_315_for_a_known_child_becomes_an_aanmelding_for_the_household_gids(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert retour is not None and retour.kind == "316"
    valid(schemas, retour)
    assert retour_codes(retour, "Client") == ["0200"]
    assert retour_codes(retour, "Client/AangevraagdeProducten/AangevraagdProduct") == ["0200"]
    [aanmelding] = _aanmeldingen(session)
    assert aanmelding.resident_id == town.child.id and aanmelding.gids_id == town.gids.id
    assert aanmelding.domain == Domain.JEUGD
    assert aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING
    assert aanmelding.referrer_type == ReferrerType.HUISARTS
    assert aanmelding.referrer_name == "Huisarts Pietersen"
    assert "Zorg A" in aanmelding.question and "REF-1" in aanmelding.question
    assert "€ 6200,00" in aanmelding.question
    [verzoek] = verzoeken(session)
    assert (verzoek.kind, verzoek.reference, verzoek.state) == ("315", "REF-1", VerzoekState.OPEN)
    assert verzoek.aanmelding_id == aanmelding.id and verzoek.volume == 620000
    assert outgoing_of_kind(session, town.zorg_a, "319") == []


def test_the_new_trajectory_form_preselects_what_the_315_asked(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(
        Domain.JEUGD,
        town.zorg_a.agb_code,
        products=[Product("REF-1", end=date(2027, 5, 16))],
    )
    receive_ok(session, town.zorg_a, body, schemas)
    [aanmelding] = _aanmeldingen(session)
    terms = requested_terms(session, aanmelding)
    assert terms is not None
    assert terms.provider_id == town.zorg_a.id and terms.profile_id == town.amb.id
    assert terms.intensity == Intensity.MIDDEL  # € 6.200 is the middel tariff
    assert (terms.planned_start, terms.planned_end) == (date(2026, 11, 16), date(2027, 5, 16))


def test_an_unknown_bsn_registers_the_resident_with_the_least_loaded_gids(
    session: Session, town: World, schemas: Schemas
) -> None:
    make_trajectory(session, town)  # the first gids has open work, the second none
    body = message_315(
        Domain.WMO,
        town.zorg_a.agb_code,
        bsn="999999990",
        birth_date=date(1960, 3, 1),
        family_name="Berg",
        prefix="van den",
        given_names="Carla",
        products=[Product("W-1", category="02", code="WBG", euros=3800)],
    )
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert retour is not None
    valid(schemas, retour)
    resident = session.scalar(select(Resident).where(Resident.bsn == "999999990"))
    assert resident is not None
    assert (resident.given_name, resident.family_name) == ("Carla", "van den Berg")
    assert resident.household.gids_id == town.gids2.id
    [aanmelding] = _aanmeldingen(session)
    assert aanmelding.gids_id == town.gids2.id and aanmelding.domain == Domain.WMO
    assert aanmelding.referrer_type is not None  # the Wmo 315 names a Verwijzer too


def test_choose_gids_prefers_the_household_gids_while_active(session: Session, town: World) -> None:
    assert choose_gids(session, town.child) == town.gids
    town.gids.active = False
    session.flush()
    assert choose_gids(session, town.child) == town.gids2


def test_a_bsn_failing_the_11_proef_is_refused_in_the_header(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(
        Domain.JEUGD, town.zorg_a.agb_code, bsn="123456789", products=[Product("REF-1")]
    )
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    valid(schemas, retour)
    assert retour_codes(retour, "Header") == ["0001"]
    assert read(retour.body).root.find("{*}Client") is None
    assert _aanmeldingen(session) == [] and verzoeken(session) == []


def test_refusing_the_aanmelding_answers_with_a_319_afgewezen(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    receive_ok(session, town.zorg_a, body, schemas)
    [aanmelding] = _aanmeldingen(session)
    decide_aanmelding(
        session,
        aanmelding,
        town.gids,
        outcome=AanmeldingOutcome.AFGEWEZEN,
        reason="Past beter in het voorveld",
        today=TODAY,
    )
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    valid(schemas, answer)
    assert answer_of(answer) == ("REF-1", "1", "7")
    assert answer.aanmelding_id == aanmelding.id
    [verzoek] = verzoeken(session)
    assert (verzoek.state, verzoek.refusal_code) == (VerzoekState.AFGEWEZEN, "7")


def test_a_refusal_names_the_code_the_gids_chose(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    receive_ok(session, town.zorg_a, body, schemas)
    [aanmelding] = _aanmeldingen(session)
    decide_aanmelding(
        session,
        aanmelding,
        town.gids,
        outcome=AanmeldingOutcome.AFGEWEZEN,
        reason="Geen contract voor dit product",
        today=TODAY,
        refusal_code="3",
    )
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    assert answer_of(answer) == ("REF-1", "1", "3")


def test_a_wmo_refusal_meets_the_wmo319_schema(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(
        Domain.WMO,
        town.zorg_a.agb_code,
        bsn=town.adult.bsn,
        birth_date=town.adult.birth_date,
        products=[Product("W-1", category="02", code="WBG", euros=3800)],
    )
    _message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert retour is not None and retour.kind == "316"
    valid(schemas, retour)
    [aanmelding] = _aanmeldingen(session)
    decide_aanmelding(
        session,
        aanmelding,
        town.gids,
        outcome=AanmeldingOutcome.GEEN_VERVOLG,
        reason=None,
        today=TODAY,
    )
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    assert answer.domain == Domain.WMO
    valid(schemas, answer)
    assert answer_of(answer) == ("W-1", "1", "7")


def _grant(session: Session, world: World, aanmelding: Aanmelding, provider_id: int):
    data = wf.TrajectoryInput(
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.MIDDEL,
        provider_id=provider_id,
        need_type=NeedType.EINDIG,
        planned_start=date(2026, 11, 16),
        request_id=aanmelding.id,
        results=[wf.ResultInput("Bram gaat weer naar school")],
    )
    trajectory = wf.create_trajectory(session, data, world.gids, today=TODAY)
    wf.propose(session, trajectory, world.gids, TODAY)
    return trajectory


def test_granting_sends_the_trajectory_and_its_301_carries_the_reference(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    receive_ok(session, town.zorg_a, body, schemas)
    [aanmelding] = _aanmeldingen(session)
    trajectory = _grant(session, town, aanmelding, town.zorg_a.id)
    assert trajectory.state == TrajectoryState.VOORGESTELD
    assert aanmelding.outcome == AanmeldingOutcome.TOEGEKEND
    [toewijzing] = outgoing_of_kind(session, town.zorg_a, "301")
    valid(schemas, toewijzing)
    root = read(toewijzing.body).root
    assert text_of(root, f"{PRODUCT}/ReferentieAanbieder") == "REF-1"
    assert text_of(root, f"{PRODUCT}/ToewijzingNummer") == str(trajectory.id)
    # In 3.2 the 301 is the grant: no 319 goes out.
    assert outgoing_of_kind(session, town.zorg_a, "319") == []
    [verzoek] = verzoeken(session)
    assert verzoek.state == VerzoekState.TOEGEWEZEN and verzoek.trajectory_id == trajectory.id


def test_a_trajectory_with_another_provider_refuses_the_request(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    receive_ok(session, town.zorg_a, body, schemas)
    [aanmelding] = _aanmeldingen(session)
    town.amb.contracts[0].provider = town.zorg_b  # Zorg B gets a contract for the profile
    session.flush()
    _grant(session, town, aanmelding, town.zorg_b.id)
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    valid(schemas, answer)
    assert answer_of(answer) == ("REF-1", "1", "7")


def test_a_child_of_18_is_refused_at_once_with_the_age_limit(
    session: Session, town: World, schemas: Schemas
) -> None:
    town.child.birth_date = TODAY - timedelta(days=18 * 366)
    session.flush()
    body = message_315(
        Domain.JEUGD,
        town.zorg_a.agb_code,
        birth_date=town.child.birth_date,
        products=[Product("REF-1")],
    )
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert retour is not None
    assert retour_codes(retour, "Client") == ["0200"]
    assert _aanmeldingen(session) == []
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    valid(schemas, answer)
    assert answer_of(answer) == ("REF-1", "1", "9")


def test_the_same_message_twice_changes_nothing_and_gets_the_same_retour(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    first, first_retour = receive_ok(session, town.zorg_a, body, schemas)
    again, again_retour = receive_ok(session, town.zorg_a, body, schemas)
    assert again.id == first.id
    assert again_retour is not None and first_retour is not None
    assert again_retour.body == first_retour.body
    assert len(_aanmeldingen(session)) == 1 and len(verzoeken(session)) == 1


@pytest.mark.parametrize(
    ("earlier", "code"),
    [("open", "9347"), ("toegewezen", "9359"), ("afgewezen", "9360")],
)
def test_a_reference_used_before_is_refused_with_its_code(
    session: Session, town: World, schemas: Schemas, earlier: str, code: str
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    receive_ok(session, town.zorg_a, body, schemas)
    [aanmelding] = _aanmeldingen(session)
    if earlier == "toegewezen":
        _grant(session, town, aanmelding, town.zorg_a.id)
    elif earlier == "afgewezen":
        decide_aanmelding(
            session,
            aanmelding,
            town.gids,
            outcome=AanmeldingOutcome.AFGEWEZEN,
            reason="Nee",
            today=TODAY,
        )
    second = message_315(
        Domain.JEUGD,
        town.zorg_a.agb_code,
        identification="315-2",
        products=[Product("REF-2"), Product("REF-1")],
    )
    message, retour = receive_ok(session, town.zorg_a, second, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    valid(schemas, retour)
    products = "Client/AangevraagdeProducten/AangevraagdProduct"
    assert retour_codes(retour, f"{products}[1]") == ["0233"]
    assert retour_codes(retour, f"{products}[2]") == [code]
    assert retour_codes(retour, "Client") == ["0233"]
    assert len(_aanmeldingen(session)) == 1


def test_one_reference_twice_in_one_message_is_refused(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(
        Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1"), Product("REF-1")]
    )
    message, retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    products = "Client/AangevraagdeProducten/AangevraagdProduct"
    assert retour_codes(retour, f"{products}[2]") == ["9347"]
    assert _aanmeldingen(session) == []


def test_another_provider_may_use_the_same_reference(
    session: Session, town: World, schemas: Schemas
) -> None:
    for number, provider in enumerate((town.zorg_a, town.zorg_b)):
        body = message_315(
            Domain.JEUGD,
            provider.agb_code,
            identification=f"315-{number}",
            products=[Product("REF-1")],
        )
        message, _retour = receive_ok(session, provider, body, schemas)
        assert message.state == MessageState.VERWERKT
    assert session.scalar(select(func.count()).select_from(Aanmelding)) == 2


def test_in_onderzoek_is_told_once_and_the_request_stays_open(
    session: Session, town: World, schemas: Schemas
) -> None:
    body = message_315(Domain.JEUGD, town.zorg_a.agb_code, products=[Product("REF-1")])
    receive_ok(session, town.zorg_a, body, schemas)
    [verzoek] = verzoeken(session)
    first = answer_in_onderzoek(session, verzoek, today=TODAY, schemas=schemas)
    assert first is not None
    valid(schemas, first)
    assert answer_of(first) == ("REF-1", "2", None)
    assert answer_in_onderzoek(session, verzoek, today=TODAY, schemas=schemas) is None
    assert verzoek.state == VerzoekState.IN_ONDERZOEK
    [aanmelding] = _aanmeldingen(session)
    decide_aanmelding(
        session,
        aanmelding,
        town.gids,
        outcome=AanmeldingOutcome.AFGEWEZEN,
        reason="Nee",
        today=TODAY,
    )
    assert [answer_of(m)[1] for m in outgoing_of_kind(session, town.zorg_a, "319")] == ["2", "1"]


def test_a_resident_who_moved_out_is_refused_at_once_as_another_municipalitys(
    session: Session, town: World, schemas: Schemas
) -> None:
    town.adult.moved_out_on = TODAY - timedelta(days=10)
    session.flush()
    body = message_315(
        Domain.WMO,
        town.zorg_a.agb_code,
        bsn=town.adult.bsn,
        birth_date=town.adult.birth_date,
        products=[Product("W-1", category="02", code="WBG", euros=3800)],
    )
    message, _retour = receive_ok(session, town.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert _aanmeldingen(session) == []
    [answer] = outgoing_of_kind(session, town.zorg_a, "319")
    valid(schemas, answer)
    assert answer_of(answer) == ("W-1", "1", "5")
