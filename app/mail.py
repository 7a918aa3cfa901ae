"""E-mail notifications about new inbox tasks, sent by the scheduler after each run.

One short summary per user ("3 nieuwe taken in Trajectwijzer: 2× Evaluatie binnenkort, …") with
a link to the application and deliberately no personal data: no names, no BSNs, no dates of
birth — e-mail leaves the municipality's systems, the inbox behind the login does not (AVG, need
to know). Sent with the standard library's ``smtplib`` when ``MAIL_SERVER`` is configured;
otherwise the same text is logged at INFO, so a development machine needs no mail server.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from models import Role, TaskKind
from workflows.inbox import TASK_LABELS
from workflows.scheduler_jobs import Notification, claim_unmailed_tasks

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30
_HOME_PATH = {Role.GIDS: "/gids/", Role.AANBIEDER: "/aanbieder/"}


def _kind_order(kind: TaskKind) -> int:
    return list(TaskKind).index(kind)


def compose(notification: Notification, base_url: str) -> tuple[str, str]:
    """Subject and plain-text body: counts per kind of task and a link, nothing else."""
    total = notification.total
    noun = "nieuwe taak" if total == 1 else "nieuwe taken"
    subject = f"{total} {noun} in Trajectwijzer"
    kinds = sorted(notification.counts.items(), key=lambda item: (-item[1], _kind_order(item[0])))
    listing = "\n".join(f"- {count}× {TASK_LABELS[kind]}" for kind, count in kinds)
    link = base_url.rstrip("/") + _HOME_PATH.get(notification.role, "/")
    body = (
        "Beste collega,\n\n"
        f"Er staan {total} {noun} voor u klaar in Trajectwijzer:\n\n"
        f"{listing}\n\n"
        f"Log in om ze te bekijken: {link}\n\n"
        "Dit bericht bevat bewust geen namen of andere persoonsgegevens.\n"
        "Trajectwijzer (automatisch bericht, niet beantwoorden)\n"
    )
    return subject, body


def _message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


@contextmanager
def _smtp(config: Mapping[str, Any]) -> Iterator[tuple[smtplib.SMTP, str]]:
    """A connection to the configured mail server (``MAIL_*``), and the sender address."""
    sender = str(config.get("MAIL_FROM") or "trajectwijzer@localhost")
    with smtplib.SMTP(
        str(config["MAIL_SERVER"]), int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT_SECONDS
    ) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
        yield smtp, sender


def send_notifications(notifications: Sequence[Notification], config: Mapping[str, Any]) -> int:
    """Send (or, without ``MAIL_SERVER``, log) one e-mail per notification; returns how many.

    A connection-level SMTP error propagates, so the caller rolls back and the tasks stay
    unmailed for the next run; an address the server refuses is logged and skipped (a retry
    would not help).
    """
    if not notifications:
        return 0
    base_url = str(config.get("BASE_URL") or "http://127.0.0.1:5000")
    composed = [(n, *compose(n, base_url)) for n in notifications]
    server = config.get("MAIL_SERVER")
    if not server:
        for note, subject, body in composed:
            log.info(
                "E-mail (geen MAIL_SERVER; niet verzonden) aan %s: %s\n%s",
                note.email,
                subject,
                body,
            )
        return len(composed)
    sent = 0
    with _smtp(config) as (smtp, sender):
        for note, subject, body in composed:
            try:
                smtp.send_message(_message(sender, note.email, subject, body))
            except smtplib.SMTPRecipientsRefused:
                log.warning("Mail server refused the address of user %s; skipped.", note.user_id)
                continue
            sent += 1
    log.info("Sent %d notification e-mail(s) through %s.", sent, server)
    return sent


def notify_new_tasks(
    session: Session, config: Mapping[str, Any], now: datetime | None = None
) -> int:
    """Claim the tasks not yet mailed (setting ``mailed_at``) and mail their summaries.

    Runs in the caller's transaction; the caller commits after this returns, so a failure to
    reach the mail server leaves ``mailed_at`` empty and the next run tries again.
    """
    return send_notifications(claim_unmailed_tasks(session, now), config)


# --- invitations (first login, or a lost password) ----------------------------------------------

# How an invitation reaches its user. By mail when ``MAIL_SERVER`` is set. On a development or
# test machine without one, the link is logged and shown to the beheerder, who passes it on.
# In production without a mail server no link is made in the browser at all: a link shown to
# the beheerder would let the beheerder choose someone else's password. The operator can then
# make one at the server (``flask --app wsgi users invite``).
BY_MAIL = "mail"
ON_SCREEN = "scherm"
NOT_POSSIBLE = "geen"


def invitation_delivery(config: Mapping[str, Any]) -> str:
    if config.get("MAIL_SERVER"):
        return BY_MAIL
    if config.get("ENV_NAME") in {"development", "testing"}:
        return ON_SCREEN
    return NOT_POSSIBLE


def compose_invitation(name: str, link: str, valid_until: str) -> tuple[str, str]:
    """Subject and body of an invitation: the link and how long it works, no password."""
    subject = "Uw account voor Trajectwijzer"
    body = (
        f"Beste {name},\n\n"
        "De beheerder heeft een account voor u klaargezet in Trajectwijzer. Kies via deze link\n"
        "zelf uw wachtwoord:\n\n"
        f"{link}\n\n"
        f"De link werkt één keer en is geldig tot {valid_until}. Daarna, of als u deze e-mail\n"
        "niet verwachtte, vraagt u de beheerder om een nieuwe uitnodiging. Wie de link heeft,\n"
        "kan het wachtwoord kiezen: stuur deze e-mail niet door.\n\n"
        "Trajectwijzer (automatisch bericht, niet beantwoorden)\n"
    )
    return subject, body


def send_invitation(
    config: Mapping[str, Any], email: str, name: str, link: str, valid_until: str
) -> None:
    """Mail the invitation, or (``ON_SCREEN``) log it. A failure to reach the mail server
    raises ``OSError`` or ``smtplib.SMTPException``: the caller rolls back, so no link exists
    that nobody received."""
    subject, body = compose_invitation(name, link, valid_until)
    if invitation_delivery(config) != BY_MAIL:
        log.info("E-mail (geen MAIL_SERVER; niet verzonden) aan %s: %s\n%s", email, subject, body)
        return
    with _smtp(config) as (smtp, sender):
        smtp.send_message(_message(sender, email, subject, body))
    log.info("Sent an invitation e-mail through %s.", config["MAIL_SERVER"])
