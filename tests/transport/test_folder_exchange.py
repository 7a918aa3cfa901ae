"""``flask berichten verwerk|exporteer``: the folder exchange. Each file in its own transaction,
moved once handled; an unreadable or oversized file is refused with a reason and never stops the
run; running twice applies nothing twice and writes nothing new."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import Result
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    AuditEntry,
    Message,
    MessageDirection,
    MessageState,
    Provider,
    TrajectoryState,
)

from ..committed import last_audit_id
from ..factories import TODAY, World, make_trajectory
from .helpers import DAY, incoming_xml, outgoing


def run(app: Flask, world: World, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["berichten", *args, "--by", world.beheerder.email])


def inbox(root: Path, provider: Provider) -> Path:
    folder = root / provider.agb_code / "in"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def received(session: Session, provider: Provider) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.provider_id == provider.id, Message.direction == MessageDirection.IN)
        )
        or 0
    )


def test_verwerk_receives_each_file_moves_it_and_twice_applies_once(
    app: Flask, session: Session, world: World, tmp_path: Path, accepting_305: list[str]
) -> None:
    folder = inbox(tmp_path, world.zorg_a)
    (folder / "a.xml").write_bytes(incoming_xml(world.zorg_a, "IN-1"))
    (folder / "b.xml").write_bytes(incoming_xml(world.zorg_a, "IN-2"))
    (folder / "notitie.txt").write_text("geen bericht")

    result = run(app, world, "verwerk", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "Berichten verwerkt: 2, afgekeurd met retour: 0, geweigerd: 0." in result.output
    assert "retour 306 klaar in de uitbox" in result.output
    assert sorted(p.name for p in (folder / "verwerkt").iterdir()) == ["a.xml", "b.xml"]
    assert accepting_305 == ["IN-1", "IN-2"]
    assert (folder / "notitie.txt").exists()
    assert received(session, world.zorg_a) == 2
    # the provider's system puts the same message in again: nothing is applied twice
    (folder / "a.xml").write_bytes(incoming_xml(world.zorg_a, "IN-1"))
    again = run(app, world, "verwerk", str(tmp_path))
    assert again.exit_code == 0, again.output
    assert received(session, world.zorg_a) == 2
    assert accepting_305 == ["IN-1", "IN-2"]  # not applied again
    assert sorted(p.name for p in (folder / "verwerkt").iterdir()) == ["a.1.xml", "a.xml", "b.xml"]
    audited = session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "ontvangen")
    ).all()
    assert len(audited) == 3 and all(world.zorg_a.agb_code in d for d in audited)


def test_an_unreadable_file_is_refused_with_a_reason_and_the_run_goes_on(
    app: Flask, session: Session, world: World, tmp_path: Path, accepting_305: list[str]
) -> None:
    folder = inbox(tmp_path, world.zorg_a)
    (folder / "a_kapot.xml").write_bytes(b"<Bericht><niet-af>")
    (folder / "b_goed.xml").write_bytes(incoming_xml(world.zorg_a, "IN-1"))

    result = run(app, world, "verwerk", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "GEWEIGERD" in result.output and "a_kapot.xml" in result.output
    assert "Berichten verwerkt: 1, afgekeurd met retour: 0, geweigerd: 1." in result.output
    refused = folder / "geweigerd"
    assert (refused / "a_kapot.xml").exists()
    assert (refused / "a_kapot.xml.fout.txt").read_text().startswith("Geweigerd:")
    assert (folder / "verwerkt" / "b_goed.xml").exists()
    assert received(session, world.zorg_a) == 1


def test_a_50_mb_file_is_refused_without_reading_it_whole(
    app: Flask, session: Session, world: World, tmp_path: Path, monkeypatch
) -> None:
    folder = inbox(tmp_path, world.zorg_a)
    big = folder / "groot.xml"
    with big.open("wb") as out:
        out.truncate(50 * 1024 * 1024)  # sparse
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args, **kwargs):  # noqa: ANN202
        handle = real_open(self, *args, **kwargs)
        if self.name == "groot.xml":
            original = handle.read

            def read(size: int = -1) -> bytes:
                reads.append(size)
                return original(size)

            handle.read = read  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    result = run(app, world, "verwerk", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "te groot" in result.output
    assert reads and all(0 < size <= 5 * 1024 * 1024 + 1 for size in reads)
    assert (folder / "geweigerd" / "groot.xml").exists()
    assert received(session, world.zorg_a) == 0


def test_a_folder_that_names_no_active_provider_is_skipped_unread(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    for name in ("99999999", "onzin", world.zorg_b.agb_code):
        folder = tmp_path / name / "in"
        folder.mkdir(parents=True)
        (folder / "a.xml").write_bytes(incoming_xml(world.zorg_a, "IN-1"))
    world.zorg_b.active = False
    session.flush()

    result = run(app, world, "verwerk", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert result.output.count("overgeslagen: map") == 3
    assert all((tmp_path / n / "in" / "a.xml").exists() for n in ("99999999", "onzin"))
    assert received(session, world.zorg_a) == received(session, world.zorg_b) == 0


def test_a_link_in_the_inbox_is_not_followed(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elders.xml"
    elsewhere.write_bytes(incoming_xml(world.zorg_b, "VAN-B"))
    folder = inbox(tmp_path / "berichten", world.zorg_a)
    os.symlink(elsewhere, folder / "link.xml")

    result = run(app, world, "verwerk", str(tmp_path / "berichten"))

    assert "koppeling" in result.output
    assert received(session, world.zorg_a) == 0
    assert elsewhere.exists()


def test_a_message_in_a_providers_folder_that_names_another_sender_is_answered_with_0001(
    app: Flask, session: Session, world: World, tmp_path: Path, accepting_305: list[str]
) -> None:
    """The folder is the identity: Zorg B's message put in Zorg A's folder is not Zorg B's."""
    folder = inbox(tmp_path, world.zorg_a)
    (folder / "vals.xml").write_bytes(incoming_xml(world.zorg_b, "IN-1"))

    result = run(app, world, "verwerk", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "afgekeurd met retour: 1" in result.output and "0001" in result.output
    assert accepting_305 == []
    assert received(session, world.zorg_b) == 0
    assert (folder / "verwerkt" / "vals.xml").exists()


def test_verwerk_needs_an_operator_and_an_existing_folder(
    app: Flask, world: World, tmp_path: Path
) -> None:
    no_by = app.test_cli_runner().invoke(args=["berichten", "verwerk", str(tmp_path)])
    assert no_by.exit_code != 0 and "--by" in no_by.output
    missing = run(app, world, "verwerk", str(tmp_path / "bestaat-niet"))
    assert missing.exit_code != 0 and "bestaat niet" in missing.output


def test_exporteer_writes_each_outbox_once_and_marks_it_sent(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    before = last_audit_id(session)  # the log keeps what committing tests wrote
    a1 = outgoing(session, world.zorg_a, "000000000001")
    a2 = outgoing(session, world.zorg_a, "000000000002", kind="306")
    b1 = outgoing(session, world.zorg_b, "000000000003")
    outgoing(session, world.zorg_b, "000000000004", state=MessageState.VERZONDEN)

    result = run(app, world, "exporteer", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "Berichten geëxporteerd: 3." in result.output
    out_a = tmp_path / world.zorg_a.agb_code / "uit"
    assert sorted(p.name for p in out_a.iterdir()) == [
        "301_000000000001.xml",
        "306_000000000002.xml",
    ]
    assert (out_a / "301_000000000001.xml").read_bytes() == a1.body
    assert oct((out_a / "301_000000000001.xml").stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in (tmp_path / world.zorg_b.agb_code / "uit").iterdir()] == [
        "301_000000000003.xml"
    ]
    session.expire_all()
    assert {a1.state, a2.state, b1.state} == {MessageState.VERZONDEN}
    exported = session.scalars(
        select(AuditEntry.object_id).where(
            AuditEntry.id > before,
            AuditEntry.action == "geexporteerd",
            AuditEntry.object_type == "bericht",
        )
    ).all()
    assert sorted(exported) == sorted([a1.id, a2.id, b1.id])

    (out_a / "301_000000000001.xml").unlink()  # the provider's system collected it
    again = run(app, world, "exporteer", str(tmp_path))
    assert again.exit_code == 0 and "Berichten geëxporteerd: 0." in again.output
    assert not (out_a / "301_000000000001.xml").exists()


def test_exporteer_marks_nothing_when_a_file_cannot_be_written(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    a1 = outgoing(session, world.zorg_a, "000000000001")
    b1 = outgoing(session, world.zorg_b, "000000000002")
    (tmp_path / world.zorg_a.agb_code).mkdir()
    (tmp_path / world.zorg_a.agb_code / "uit").write_text("een bestand, geen map")

    result = run(app, world, "exporteer", str(tmp_path))

    assert result.exit_code == 1
    assert "NIET geëxporteerd" in result.output and "blijven klaarstaan" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    session.expire_all()
    assert a1.state == MessageState.KLAAR
    assert b1.state == MessageState.VERZONDEN  # the other provider's went out


def test_an_unexpected_failure_leaves_the_file_for_the_next_run_and_goes_on(
    app: Flask,
    session: Session,
    world: World,
    tmp_path: Path,
    accepting_305: list[str],
    monkeypatch,
) -> None:
    import app.message_exchange as exchange

    real = exchange.receive

    def flaky(session: Session, provider: Provider, body: bytes, today: object) -> Message:
        if b"IN-STUK" in body:
            raise RuntimeError("database weg")
        return real(session, provider, body, today)  # type: ignore[arg-type]

    monkeypatch.setattr(exchange, "receive", flaky)
    folder = inbox(tmp_path, world.zorg_a)
    (folder / "a.xml").write_bytes(incoming_xml(world.zorg_a, "IN-STUK"))
    (folder / "b.xml").write_bytes(incoming_xml(world.zorg_a, "IN-2"))

    result = run(app, world, "verwerk", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert (
        "blijven staan na een fout: 1" in result.output and "Berichten verwerkt: 1" in result.output
    )
    assert (folder / "a.xml").exists() and (folder / "verwerkt" / "b.xml").exists()
    assert received(session, world.zorg_a) == 1


def test_a_message_refused_as_a_whole_goes_to_geweigerd_with_its_errors(
    app: Flask, session: Session, world: World, tmp_path: Path, monkeypatch
) -> None:
    import app.message_exchange as exchange
    from workflows.berichten.store import PartError, set_errors

    def refusing(session: Session, provider: Provider, body: bytes, today: object) -> Message:
        message = Message(
            direction=MessageDirection.IN, kind="305", domain=world.hh.domain,
            provider_id=provider.id, identification="XSD-1", dated_on=DAY,
            state=MessageState.GEWEIGERD, body=body,
        )  # fmt: skip
        set_errors(message, [PartError("0001", "", "niet geldig volgens het XSD")])
        session.add(message)
        session.flush()
        return message

    monkeypatch.setattr(exchange, "receive", refusing)
    folder = inbox(tmp_path, world.zorg_a)
    (folder / "a.xml").write_bytes(incoming_xml(world.zorg_a, "XSD-1"))

    result = run(app, world, "verwerk", str(tmp_path))

    assert "geweigerd: 1" in result.output
    reason = (folder / "geweigerd" / "a.xml.fout.txt").read_text()
    assert "0001" in reason and "XSD" in reason


@freeze_time(TODAY)
def test_an_exported_message_about_a_trajectory_shows_in_its_residents_audit(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    before = last_audit_id(session)  # the log keeps what committing tests wrote
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    message = outgoing(session, world.zorg_a, "000000000009", trajectory_id=trajectory.id)

    assert run(app, world, "exporteer", str(tmp_path)).exit_code == 0

    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.id > before,
            AuditEntry.object_type == "bericht",
            AuditEntry.object_id == message.id,
        )
    )
    assert entry is not None and entry.resident_id == trajectory.resident_id
    assert entry.user_id == world.beheerder.id  # the operator named by --by
