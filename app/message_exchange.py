"""The transports of the iWmo/iJw message exchange that are not a web page: the folder exchange
(``flask berichten verwerk|exporteer``) and what the HTTP gateway (``app.berichten_api``)
shares with it. Every incoming message, whichever way it came, goes through the ONE entry
point ``workflows.berichten.incoming.receive``; everything leaving is the provider's outbox
(``workflows.berichten.store.outbox``), marked collected once delivered.

Folder layout (docs/operations.md): one folder per provider, named by its AGB code::

    DIR/<AGB>/in/*.xml            the provider's system puts its messages here
    DIR/<AGB>/in/verwerkt/        each message handled (applied, or answered with a refusal)
    DIR/<AGB>/in/geweigerd/       each file that could not be read, with <name>.fout.txt
    DIR/<AGB>/uit/<kind>_<id>.xml what the municipality sends (toewijzingen, retours, …)

The folder IS the identity: a file in ``DIR/12345678/in`` is taken as sent by provider
12345678, and receive() then refuses it when its Afzender says otherwise. So each provider may
write into its own ``in`` folder only (an SFTP account per provider, chrooted to its folder):
whoever can write into a provider's folder can speak for that provider.

One transaction per file (verwerk) and per provider (exporteer): one bad file never stops or
undoes the others, and a run that stops half-way is finished by the next one — receive() is
idempotent per (provider, identification), and an outbox message leaves the outbox only in the
transaction that wrote its file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Message, MessageDirection, MessageState, Provider
from workflows import audit
from workflows.berichten import codes
from workflows.berichten.incoming import receive
from workflows.berichten.store import errors_of, mark_collected, outbox, retour_of
from workflows.berichten.xml import MAX_MESSAGE_BYTES, Unreadable
from workflows.errors import N_, DomainError

log = logging.getLogger(__name__)

AGB_RE = re.compile(r"^\d{8}$")
IN, OUT, DONE, REFUSED = "in", "uit", "verwerkt", "geweigerd"
SAFE_NAME_RE = re.compile(r"[^0-9A-Za-z_.-]")
OBJECT_TYPE = "bericht"  # the audit log's name for a stored message


KIND_NAMES: dict[str, str] = {
    "301": N_("toewijzing"),
    "302": N_("retour toewijzing"),
    "305": N_("start zorg"),
    "306": N_("retour start zorg"),
    "307": N_("stop zorg"),
    "308": N_("retour stop zorg"),
    "315": N_("verzoek om toewijzing"),
    "316": N_("retour verzoek om toewijzing"),
    "317": N_("verzoek om wijziging"),
    "318": N_("retour verzoek om wijziging"),
    "319": N_("antwoord op verzoek"),
    "320": N_("retour antwoord"),
    "323": N_("declaratie"),
    "325": N_("declaratie-antwoord"),
}


def kind_label(kind: str) -> str:
    """``305 start zorg``: the number the standard uses and what it is, in Dutch."""
    name = KIND_NAMES.get(kind)
    return f"{kind} {gettext(name)}" if name else kind


def register(app: Flask) -> None:
    """Template helpers for the pages that list messages."""
    app.add_template_global(kind_label, "message_kind")
    app.add_template_global(error_list, "message_errors_of")
    app.add_template_global(codes.meaning, "message_meaning")


def refused_whole(message: Message) -> bool:
    """Refused as a whole (e.g. against the schema): stored, but no functional retour."""
    return message.state == MessageState.GEWEIGERD and retour_of(message) is None


def error_list(message: Message) -> list[dict[str, str]]:
    """A message's errors as plain values (code, part, text: the code's meaning when empty)."""
    return [error.as_dict() for error in errors_of(message)]


def unreadable_text(error: DomainError) -> str:
    """Why a body is no message, in the reader's language."""
    return "; ".join(gettext(p.message, **p.params) for p in error.problems)


def resident_of(message: Message) -> int | None:
    """The resident a message is about, for the audit log (their access request shows it)."""
    if message.trajectory is not None:
        return message.trajectory.resident_id
    if message.aanmelding is not None:
        return message.aanmelding.resident_id
    return None


def audit_body(session: Session, message: Message, how: str, action: str = audit.READ) -> None:
    """One audit entry for one message body that was shown, sent or downloaded (``how``: the
    page or command; never a value from the body)."""
    audit.record(
        session, action, OBJECT_TYPE, message.id, resident_of(message),
        details=f"{how}; {message.direction.value} {message.kind}",
    )  # fmt: skip


def out_name(message: Message) -> str:
    """``<kind>_<identification>.xml``; the identification made safe for a file name."""
    return f"{message.kind}_{SAFE_NAME_RE.sub('_', message.identification)}.xml"


# --- verwerk -----------------------------------------------------------------------------------


APPLIED, ANSWERED, REFUSED_FILE, LEFT = "verwerkt", "afgekeurd", "geweigerd", "blijft staan"


@dataclass
class Outcome:
    """What became of one file: ``verwerkt`` (applied), ``afgekeurd`` (answered with a retour
    that carries error codes), ``geweigerd`` (not a message we could take: no retour) or
    ``blijft staan`` (an unexpected failure; the next run tries again)."""

    provider: str
    file: str
    result: str
    text: str


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # folders that name no known provider

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    def summary(self) -> str:
        """*Berichten verwerkt: 3, afgekeurd met retour: 1, geweigerd: 1.*"""
        parts = [
            f"Berichten verwerkt: {self.count(APPLIED)}",
            f"afgekeurd met retour: {self.count(ANSWERED)}",
            f"geweigerd: {self.count(REFUSED_FILE)}",
        ]
        if self.count(LEFT):
            parts.append(f"blijven staan na een fout: {self.count(LEFT)}")
        if self.skipped:
            parts.append(f"mappen overgeslagen: {len(self.skipped)}")
        return ", ".join(parts) + "."


def provider_folders(session: Session, root: Path, report: Report) -> list[tuple[Provider, Path]]:
    """The folders under ``root`` named by the AGB code of an active provider; others are
    reported (never read)."""
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        provider = (
            session.scalar(select(Provider).where(Provider.agb_code == folder.name))
            if AGB_RE.match(folder.name)
            else None
        )
        if provider is None or not provider.active:
            report.skipped.append(folder.name)
            continue
        found.append((provider, folder))
    return found


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` (made when missing), never over another file."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():
        target = folder / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    os.replace(path, target)
    return target


def _refuse_file(path: Path, reason: str) -> None:
    target = _move(path, path.parent / REFUSED)
    target.with_name(target.name + ".fout.txt").write_text(reason + "\n", encoding="utf-8")


def read_bounded(path: Path) -> bytes | None:
    """The file's bytes, or None when it is larger than a message may be — judged by reading
    at most one byte more than the limit, so a 50 MB file is never read whole."""
    with path.open("rb") as handle:
        body = handle.read(MAX_MESSAGE_BYTES + 1)
    return None if len(body) > MAX_MESSAGE_BYTES else body


def process_file(session: Session, provider: Provider, path: Path, today: date) -> Outcome:
    """One file in its own transaction: receive() it, commit, move it. Never raises."""
    name = f"{provider.agb_code}/{IN}/{path.name}"
    try:
        body = read_bounded(path)
    except OSError as error:
        return Outcome(provider.agb_code, name, LEFT, f"niet te lezen ({error.strerror})")
    if body is None:
        reason = f"te groot: een bericht is ten hoogste {MAX_MESSAGE_BYTES // (1024 * 1024)} MB"
        _refuse_file(path, f"Geweigerd: {reason}.")
        return Outcome(provider.agb_code, name, REFUSED_FILE, reason)
    try:
        message = receive(session, provider, body, today)
        audit.record(
            session, "ontvangen", OBJECT_TYPE, message.id, resident_of(message),
            details=f"verwerk {name}; {message.kind}",
        )  # fmt: skip
        summary = describe(message)
        if refused_whole(message):
            result = REFUSED_FILE
        elif message.state == MessageState.GEWEIGERD:
            result = ANSWERED
        else:
            result = APPLIED
        session.commit()
    except Unreadable as error:
        session.rollback()
        reason = unreadable_text(error)
        _refuse_file(path, f"Geweigerd: {reason}")
        return Outcome(provider.agb_code, name, REFUSED_FILE, reason)
    except Exception:  # one bad file must not stop the run; it stays for the next one
        session.rollback()
        log.exception("Message %s could not be processed", name)
        return Outcome(
            provider.agb_code, name, LEFT, "interne fout; het bestand blijft staan voor de "
            "volgende run (zie het log van de server)",
        )  # fmt: skip
    try:
        if result == REFUSED_FILE:
            _refuse_file(path, f"Geweigerd: {summary}")
        else:
            _move(path, path.parent / DONE)
    except OSError as error:  # handled and committed; the next run gets the same answer
        summary += f"; het bestand is niet verplaatst ({error.strerror})"
    return Outcome(provider.agb_code, name, result, summary)


def describe(message: Message) -> str:
    """One line in Dutch: the message, its state and its error codes."""
    found = ", ".join(f"{e['code']} {e['text']}".strip() for e in error_list(message))
    retour = retour_of(message)
    parts = [f"bericht {message.kind} {message.identification}: {message.state.value}"]
    if retour is not None:
        parts.append(f"retour {retour.kind} klaar in de uitbox")
    if found:
        parts.append(f"fouten: {found}")
    return "; ".join(parts)


def process_folder(
    session: Session, root: Path, today: date, echo: Callable[[str], None]
) -> Report:
    report = Report()
    for provider, folder in provider_folders(session, root, report):
        inbox = folder / IN
        if not inbox.is_dir():
            continue
        files = sorted(p for p in inbox.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
        for path in files:
            if path.is_symlink():
                _refuse_file(path, "Geweigerd: een koppeling (symlink) wordt niet gevolgd.")
                outcome = Outcome(provider.agb_code, path.name, REFUSED_FILE, "koppeling (symlink)")
            else:
                outcome = process_file(session, provider, path, today)
            report.outcomes.append(outcome)
            echo(f"  {outcome.result.upper()} {outcome.file}: {outcome.text}")
    return report


# --- exporteer ---------------------------------------------------------------------------------


def _write_private(folder: Path, name: str, body: bytes) -> None:
    """Write ``body`` as ``folder/name``, readable by the owner only, never seen half-written."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".trajectwijzer-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(body)
        os.replace(temporary, folder / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def export_provider(session: Session, provider: Provider, root: Path) -> int:
    """Write ``provider``'s outbox to ``root/<AGB>/uit`` and mark it collected, in one
    transaction: on any failure nothing is marked (the files written are written again, with
    the same names and bytes, by the next run)."""
    # Two runs at once (a slow run overtaken by cron's next): the second waits here for the
    # first's commit and then finds nothing left to write (the row lock is a no-op on SQLite,
    # whose writers are serial).
    session.execute(select(Provider.id).where(Provider.id == provider.id).with_for_update())
    messages = list(outbox(session, provider.id))
    if not messages:
        session.commit()
        return 0
    folder = root / provider.agb_code / OUT
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            _write_private(folder, out_name(message), message.body)
        mark_collected(session, messages)
        for message in messages:  # one entry each: the resident's access request shows it
            audit_body(session, message, f"exporteer {provider.agb_code}/{OUT}", audit.EXPORTED)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(messages)


def providers_with_outbox(session: Session) -> list[Provider]:
    return list(
        session.scalars(
            select(Provider)
            .where(
                Provider.id.in_(
                    select(Message.provider_id).where(
                        Message.direction == MessageDirection.UIT,
                        Message.state == MessageState.KLAAR,
                    )
                )
            )
            .order_by(Provider.agb_code)
        )
    )
