"""The toewijzing (301): when it goes, what it says, and that it meets both domains' schemas."""

from __future__ import annotations

from datetime import date, timedelta

from freezegun import freeze_time
from lxml import etree
from sqlalchemy.orm import Session

import workflows.trajectories as wf
from models import Channel, Domain, Intensity, Message, MessageState, Trajectory, TrajectoryState
from tests.factories import TODAY, World, make_trajectory
from workflows.berichten import codes, outgoing
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import InvalidOutgoing, messages_of_trajectory, outbox
from workflows.berichten.xml import read, text_of

PRODUCT = "Client/ToegewezenProducten/ToegewezenProduct"


def _toewijzingen(session: Session, trajectory: Trajectory) -> list[Message]:
    return [m for m in messages_of_trajectory(session, trajectory.id) if m.kind == "301"]


def _valid(schemas: Schemas, message: Message) -> None:
    parsed = read(message.body)
    assert schemas.available(parsed.domain, "301")
    assert schemas.errors(parsed.domain, "301", parsed.root) == []


def _jeugd(session: Session, world: World, state: TrajectoryState) -> Trajectory:
    return make_trajectory(
        session,
        world,
        state,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.MIDDEL,
    )


def test_sending_a_wmo_trajectory_on_the_message_channel_queues_a_valid_wmo301(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    trajectory = make_trajectory(session, messaging, TrajectoryState.VOORGESTELD)
    [message] = _toewijzingen(session, trajectory)
    _valid(schemas, message)
    parsed = read(message.body)
    assert (parsed.domain, parsed.kind, parsed.code) == (Domain.WMO, "301", "414")
    assert parsed.sender == "0303" and parsed.receiver == messaging.zorg_a.agb_code
    assert parsed.identification == message.identification
    assert message.state == MessageState.KLAAR and message in outbox(session, messaging.zorg_a.id)
    root = parsed.root
    assert text_of(root, "Client/Bsn") == messaging.adult.bsn
    assert text_of(root, "Client/Geslacht") == codes.GESLACHT_ONBEKEND
    assert text_of(root, "Client/Naam/Geslachtsnaam/Voorvoegsel") == "de"
    assert text_of(root, "Client/Naam/Geslachtsnaam/Achternaam") == "Vries"
    assert text_of(root, f"{PRODUCT}/ToewijzingNummer") == str(trajectory.id)
    assert text_of(root, f"{PRODUCT}/Product/Categorie") == "02"
    assert text_of(root, f"{PRODUCT}/Toewijzingsdatum") == TODAY.isoformat()
    assert text_of(root, f"{PRODUCT}/Ingangsdatum") == trajectory.planned_start.isoformat()
    assert text_of(root, f"{PRODUCT}/Einddatum") == trajectory.planned_end.isoformat()
    assert text_of(root, f"{PRODUCT}/RedenWijziging") is None
    # "WMO-BG" is no product code (five characters at most): the price goes as a budget.
    assert text_of(root, f"{PRODUCT}/Product/Code") is None
    assert text_of(root, f"{PRODUCT}/Budget") == str(int(trajectory.price * 100))


def test_a_jeugd_trajectory_with_a_product_code_gets_a_valid_jw301_with_omvang(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    messaging.amb.code = "45A01"
    messaging.child.address = "Stationsstraat 12a"
    messaging.child.phone = "0612345678"
    trajectory = _jeugd(session, messaging, TrajectoryState.VOORGESTELD)
    [message] = _toewijzingen(session, trajectory)
    _valid(schemas, message)
    root = read(message.body).root
    assert read(message.body).code == "436"
    assert text_of(root, f"{PRODUCT}/Product/Code") == "45A01"
    assert text_of(root, f"{PRODUCT}/Omvang/Volume") == str(int(trajectory.price * 100))
    assert text_of(root, f"{PRODUCT}/Omvang/Eenheid") == "83"
    assert text_of(root, f"{PRODUCT}/Omvang/Frequentie") == "6"
    assert text_of(root, f"{PRODUCT}/Budget") is None
    contact = "Client/Contactgegevens/Contact"
    assert text_of(root, f"{contact}/Adres/Straatnaam") == "Stationsstraat"
    assert text_of(root, f"{contact}/Adres/Huis/Huisnummer") == "12"
    assert text_of(root, f"{contact}/Adres/Huis/Huisletter") == "a"
    assert text_of(root, f"{contact}/Telefoon/Telefoon01/Telefoonnummer") == "0612345678"


def test_a_portal_trajectory_gets_no_toewijzing_message(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    assert _toewijzingen(session, trajectory) == []
    assert outgoing.toewijzing(session, trajectory, TODAY) is None


def test_an_extension_sends_a_wmo301_with_reason_04_and_the_new_end(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    trajectory = make_trajectory(session, messaging, TrajectoryState.ACTIEF)
    assert trajectory.decision_end is not None
    new_end = date(trajectory.decision_end.year + 1, 1, 31)
    wf.extend_decision(
        session, trajectory, messaging.gids, new_end=new_end, reason="Nodig", today=TODAY
    )
    first, extension = _toewijzingen(session, trajectory)
    _valid(schemas, extension)
    root = read(extension.body).root
    assert text_of(root, f"{PRODUCT}/RedenWijziging") == codes.EXTENSION
    assert text_of(root, f"{PRODUCT}/Einddatum") == new_end.isoformat()
    assert text_of(root, f"{PRODUCT}/ToewijzingNummer") == str(trajectory.id)
    assert text_of(root, f"{PRODUCT}/Toewijzingsdatum") == TODAY.isoformat()
    assert extension.identification != first.identification


def test_a_jeugd_extension_301_meets_the_jw301_schema(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    # A Jeugd decision already runs to the day before the 18th birthday (no extension through
    # the gids's page); the message itself must still be right.
    trajectory = _jeugd(session, messaging, TrajectoryState.ACTIEF)
    extension = outgoing.toewijzing(
        session, trajectory, TODAY, schemas, change=codes.EXTENSION, end=date(2027, 6, 30)
    )
    assert extension is not None
    _valid(schemas, extension)
    assert text_of(read(extension.body).root, f"{PRODUCT}/RedenWijziging") == "04"


def test_cancelling_after_the_301_went_out_sends_a_301_with_reason_13_ending_on_its_start(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    for trajectory in (
        make_trajectory(session, messaging, TrajectoryState.VOORGESTELD),
        _jeugd(session, messaging, TrajectoryState.GEACCEPTEERD),
    ):
        wf.cancel(session, trajectory, messaging.gids, "Inwoner ziet af", today=TODAY)
        _first, removal = _toewijzingen(session, trajectory)
        _valid(schemas, removal)
        root = read(removal.body).root
        assert text_of(root, f"{PRODUCT}/RedenWijziging") == codes.DELETED
        assert text_of(root, f"{PRODUCT}/Einddatum") == trajectory.planned_start.isoformat()


def test_cancelling_a_concept_sends_nothing(session: Session, messaging: World) -> None:
    trajectory = make_trajectory(session, messaging, TrajectoryState.GEANNULEERD)
    assert _toewijzingen(session, trajectory) == []


def test_cancelling_a_portal_trajectory_sends_nothing(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    wf.cancel(session, trajectory, world.gids, "Inwoner ziet af", today=TODAY)
    assert _toewijzingen(session, trajectory) == []


def test_the_301_names_the_time_in_the_municipalitys_zone(
    session: Session, messaging: World
) -> None:
    with freeze_time("2026-11-02 08:30:00"):  # UTC; 09:30 in Amsterdam
        trajectory = make_trajectory(session, messaging, TrajectoryState.VOORGESTELD)
    [message] = _toewijzingen(session, trajectory)
    assert text_of(read(message.body).root, f"{PRODUCT}/Toewijzingstijd") == "09:30:00"


def test_every_outgoing_identification_is_unique_and_fits_the_standard(
    session: Session, messaging: World
) -> None:
    made = [make_trajectory(session, messaging, TrajectoryState.VOORGESTELD) for _ in range(3)]
    identifications = [_toewijzingen(session, t)[0].identification for t in made]
    assert len(set(identifications)) == 3
    assert all(len(i) <= 12 for i in identifications)


def test_an_invalid_outgoing_message_is_refused_as_a_programming_error(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    trajectory = make_trajectory(session, messaging, TrajectoryState.VOORGESTELD)
    trajectory.resident.phone = "06-12345678"  # not only digits: fails LDT_Telefoonnummer
    try:
        outgoing.toewijzing(session, trajectory, TODAY, schemas)
    except InvalidOutgoing as error:
        assert "301" in str(error)
    else:  # pragma: no cover
        raise AssertionError("an invalid 301 was queued")


def test_the_message_xml_is_pretty_and_declares_utf8(session: Session, messaging: World) -> None:
    trajectory = make_trajectory(session, messaging, TrajectoryState.VOORGESTELD)
    [message] = _toewijzingen(session, trajectory)
    assert message.body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert etree.fromstring(message.body).tag.endswith("}Bericht")


def _numbers(message: Message) -> list[str]:
    root = read(message.body).root
    return [
        text_of(p, "ToewijzingNummer") or ""
        for p in root.iterfind("{*}Client/{*}ToegewezenProducten/{*}ToegewezenProduct")
    ]


def test_a_301_carries_the_clients_other_current_toewijzingen_at_that_provider(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    first = make_trajectory(session, messaging, TrajectoryState.ACTIEF)
    second = make_trajectory(
        session,
        messaging,
        TrajectoryState.VOORGESTELD,
        profile_id=messaging.hh.id,
        intensity=Intensity.LAAG,
    )
    [message] = _toewijzingen(session, second)
    _valid(schemas, message)
    assert _numbers(message) == [str(second.id), str(first.id)]
    # The copy is the first's toewijzing as it was sent.
    [sent] = _toewijzingen(session, first)
    root = read(message.body).root
    copied = root.findall("{*}Client/{*}ToegewezenProducten/{*}ToegewezenProduct")[1]
    assert text_of(copied, "Toewijzingsdatum") == text_of(
        read(sent.body).root, f"{PRODUCT}/Toewijzingsdatum"
    )


def test_a_removed_or_ended_toewijzing_is_not_carried_again(
    session: Session, messaging: World
) -> None:
    removed = make_trajectory(session, messaging, TrajectoryState.VOORGESTELD)
    wf.cancel(session, removed, messaging.gids, "Inwoner ziet af", today=TODAY)
    later = make_trajectory(
        session,
        messaging,
        TrajectoryState.VOORGESTELD,
        profile_id=messaging.hh.id,
        intensity=Intensity.LAAG,
    )
    assert _numbers(_toewijzingen(session, later)[0]) == [str(later.id)]
    ended = make_trajectory(session, messaging, TrajectoryState.ACTIEF)
    past_end = ended.planned_end + timedelta(days=1)
    extension = outgoing.toewijzing(session, later, past_end, change=codes.EXTENSION)
    assert extension is not None and _numbers(extension) == [str(later.id)]


def test_another_providers_or_another_clients_toewijzingen_are_not_carried(
    session: Session, messaging: World
) -> None:
    for contract in messaging.zorg_b.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    make_trajectory(
        session, messaging, TrajectoryState.VOORGESTELD, provider_id=messaging.zorg_b.id
    )
    make_trajectory(
        session,
        messaging,
        TrajectoryState.VOORGESTELD,
        resident_id=messaging.child.id,
        profile_id=messaging.amb.id,
    )
    mine = make_trajectory(session, messaging, TrajectoryState.VOORGESTELD)
    assert _numbers(_toewijzingen(session, mine)[0]) == [str(mine.id)]
