"""E-mail notifications: one summary per user, no personal data, SMTP when configured, logged
otherwise, and ``mailed_at`` set only when the run commits."""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any, ClassVar

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.mail import compose, notify_new_tasks
from models import Evaluation, EvaluationKind, Role, Task, TaskKind, Trajectory, TrajectoryState
from workflows.scheduler_jobs import Notification, run_all

from ..factories import World, make_trajectory, make_user

D = date(2026, 11, 2)
SMTP_CONFIG = {
    "MAIL_SERVER": "smtp.gemeente.test",
    "MAIL_PORT": 587,
    "MAIL_USERNAME": "trajectwijzer",
    "MAIL_PASSWORD": "geheim",
    "MAIL_USE_TLS": True,
    "MAIL_FROM": "trajectwijzer@gemeente.test",
    "BASE_URL": "https://trajectwijzer.gemeente.test",
}


class FakeSMTP:
    """Stands in for ``smtplib.SMTP``: records what would have gone over the wire."""

    instances: ClassVar[list[FakeSMTP]] = []
    refuse: ClassVar[set[str]] = set()
    fail_on_send: ClassVar[bool] = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.tls = False
        self.login_as: tuple[str, str] | None = None
        self.sent: list[EmailMessage] = []
        self.closed = False
        FakeSMTP.instances.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True

    def starttls(self, context: Any = None) -> None:
        self.tls = True

    def login(self, user: str, password: str) -> None:
        self.login_as = (user, password)

    def send_message(self, message: EmailMessage) -> None:
        if FakeSMTP.fail_on_send:
            raise smtplib.SMTPServerDisconnected("connection lost")
        if message["To"] in FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"unknown")})
        self.sent.append(message)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.instances = []
    FakeSMTP.refuse = set()
    FakeSMTP.fail_on_send = False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def tasks_for_today(session: Session, world: World) -> Trajectory:
    """An active trajectory of the adult with one evaluation due soon and one overdue."""
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    for planned in list(t.evaluations):
        session.delete(planned)
    session.flush()
    session.execute(delete(Task))
    for due in (D + timedelta(days=3), D - timedelta(days=3)):
        session.add(Evaluation(trajectory=t, kind=EvaluationKind.REGULIER, due_on=due))
    session.flush()
    run_all(session, D)
    return t


def sent(smtp: type[FakeSMTP]) -> dict[str, EmailMessage]:
    return {str(m["To"]): m for instance in smtp.instances for m in instance.sent}


def unmailed(session: Session) -> int:
    return session.scalar(select(func.count()).where(Task.mailed_at.is_(None))) or 0


def test_each_user_gets_one_summary_through_smtp(
    session: Session, world: World, smtp: type[FakeSMTP]
) -> None:
    tasks_for_today(session, world)
    colleague = make_user(session, "aanbieder.a2@test.nl", Role.AANBIEDER, world.zorg_a)

    assert notify_new_tasks(session, SMTP_CONFIG) == 3

    (connection,) = smtp.instances
    assert (connection.host, connection.port) == ("smtp.gemeente.test", 587)
    assert connection.tls and connection.login_as == ("trajectwijzer", "geheim")
    assert connection.closed
    mails = sent(smtp)
    assert set(mails) == {world.gids.email, world.aanbieder_a.email, colleague.email}
    mail = mails[world.aanbieder_a.email]
    assert mail["From"] == "trajectwijzer@gemeente.test"
    assert mail["Subject"] == "2 nieuwe taken in Trajectwijzer"
    body = mail.get_content()
    assert "1× Evaluatie binnenkort" in body and "1× Evaluatie te laat" in body
    assert "https://trajectwijzer.gemeente.test/aanbieder/" in body
    assert "https://trajectwijzer.gemeente.test/gids/" in mails[world.gids.email].get_content()
    assert unmailed(session) == 0


def test_the_mail_holds_no_personal_data_of_residents(
    session: Session, world: World, smtp: type[FakeSMTP]
) -> None:
    t = tasks_for_today(session, world)

    notify_new_tasks(session, SMTP_CONFIG)

    resident = t.resident
    forbidden = [
        resident.given_name,
        resident.family_name,
        resident.bsn,
        resident.birth_date.isoformat(),
        resident.birth_date.strftime("%d-%m-%Y"),
        resident.postcode or "",
    ]
    for mail in sent(smtp).values():
        text = str(mail["Subject"]) + mail.get_content()
        assert not [word for word in forbidden if word and word in text]


def test_without_a_mail_server_the_same_text_is_logged_and_tasks_are_marked(
    session: Session, world: World, caplog: pytest.LogCaptureFixture, smtp: type[FakeSMTP]
) -> None:
    tasks_for_today(session, world)

    with caplog.at_level(logging.INFO, logger="app.mail"):
        assert notify_new_tasks(session, {"MAIL_SERVER": None}) == 2

    assert smtp.instances == []
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.INFO)
    assert "2 nieuwe taken in Trajectwijzer" in logged
    assert "http://127.0.0.1:5000/gids/" in logged
    assert unmailed(session) == 0


def test_tasks_are_mailed_once(session: Session, world: World, smtp: type[FakeSMTP]) -> None:
    tasks_for_today(session, world)
    notify_new_tasks(session, SMTP_CONFIG)

    assert notify_new_tasks(session, SMTP_CONFIG) == 0
    assert len(sent(smtp)) == 2


def test_a_lost_connection_leaves_the_tasks_for_the_next_run(
    session: Session, world: World, smtp: type[FakeSMTP]
) -> None:
    tasks_for_today(session, world)
    smtp.fail_on_send = True

    with pytest.raises(smtplib.SMTPServerDisconnected), session.begin_nested():
        notify_new_tasks(session, SMTP_CONFIG)

    assert unmailed(session) == 4
    smtp.fail_on_send = False
    assert notify_new_tasks(session, SMTP_CONFIG) == 2


def test_a_refused_address_is_skipped_and_the_others_still_go_out(
    session: Session, world: World, smtp: type[FakeSMTP]
) -> None:
    tasks_for_today(session, world)
    smtp.refuse = {world.gids.email}

    assert notify_new_tasks(session, SMTP_CONFIG) == 1
    assert set(sent(smtp)) == {world.aanbieder_a.email}


def test_inactive_accounts_get_no_mail(
    session: Session, world: World, smtp: type[FakeSMTP]
) -> None:
    tasks_for_today(session, world)
    world.aanbieder_a.active = False
    session.flush()

    notify_new_tasks(session, SMTP_CONFIG)

    assert set(sent(smtp)) == {world.gids.email}
    assert unmailed(session) == 0


def test_the_summary_counts_kinds_most_frequent_first_in_dutch() -> None:
    note = Notification(
        7,
        "gids@test.nl",
        Role.GIDS,
        Counter({TaskKind.TERMIJN_VERSTREKEN: 1, TaskKind.EVALUATIE_BINNENKORT: 2}),
    )

    subject, body = compose(note, "https://tw.test/")

    assert subject == "3 nieuwe taken in Trajectwijzer"
    assert body.index("2× Evaluatie binnenkort") < body.index("1× Termijn verstreken")
    assert "https://tw.test/gids/" in body
    single = Notification(7, "gids@test.nl", Role.GIDS, Counter({TaskKind.JEUGD_18: 1}))
    assert compose(single, "https://tw.test")[0] == "1 nieuwe taak in Trajectwijzer"
