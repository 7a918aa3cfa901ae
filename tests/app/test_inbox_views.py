"""The inbox (*Taken*) through the test client: the header shows the number of unread tasks for a
gids or provider user, opening the inbox marks them read, each task links to where it is done,
overdue tasks are marked, and nobody sees someone else's tasks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select

from app.extensions import db
from models import Task, TaskKind
from workflows.inbox import add_task

from .care import NOW, active, planned_evaluation
from .helpers import login_as


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def inbox(session, world):
    """Two tasks for Zorg A (one overdue) and one for the gids, on Anna's running trajectory."""
    t = active(session, world)
    evaluation = planned_evaluation(t)
    add_task(
        session,
        TaskKind.EVALUATIE_BINNENKORT,
        t,
        provider_id=world.zorg_a.id,
        ref=evaluation.id,
        due_on=NOW + timedelta(days=10),
    )
    add_task(
        session,
        TaskKind.EVALUATIE_TE_LAAT,
        t,
        provider_id=world.zorg_a.id,
        ref=evaluation.id,
        due_on=NOW - timedelta(days=3),
    )
    add_task(session, TaskKind.TERMIJN_VERSTREKEN, t, user_id=world.gids.id, due_on=NOW)
    session.flush()
    return {"trajectory": t, "evaluation": evaluation}


def _badge(body: str) -> str | None:
    """The unread count in the menu's Taken link, or None when there is none."""
    link = re.search(r'<a href="/(?:gids|aanbieder)/taken"[^>]*>Taken(.*?)</a>', body, re.S)
    assert link, "no Taken link in the menu"
    count = re.search(r'<span class="badge">(\d+)', link.group(1))
    return count.group(1) if count else None


def test_the_header_shows_the_unread_count_and_opening_the_inbox_clears_it(
    client, world, session, inbox
):
    login_as(client, world.aanbieder_a)
    assert _badge(client.get("/aanbieder/").get_data(as_text=True)) == "2"
    page = client.get("/aanbieder/taken")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Evaluatie binnenkort" in body and "Evaluatie te laat" in body
    assert body.count("marker-nieuw") == 2
    assert _badge(body) is None  # read while shown
    assert _badge(client.get("/aanbieder/").get_data(as_text=True)) is None
    again = client.get("/aanbieder/taken").get_data(as_text=True)
    assert "Evaluatie binnenkort" in again and "marker-nieuw" not in again
    session.expire_all()
    tasks = session.scalars(
        select(Task).where(Task.provider_id == world.zorg_a.id, Task.done_at.is_(None))
    ).all()
    assert len(tasks) == 2
    assert all(task.read_at is not None for task in tasks)


def test_tasks_link_to_their_work_and_overdue_ones_stand_out(client, world, inbox):
    login_as(client, world.aanbieder_a)
    body = client.get("/aanbieder/taken").get_data(as_text=True)
    evaluation_url = f"/aanbieder/evaluaties/{inbox['evaluation'].id}"
    assert f'<a href="{evaluation_url}">Evaluatie binnenkort</a>' in body
    assert f"/aanbieder/trajecten/{inbox['trajectory'].id}" in body
    rows = re.findall(r"<tr(?: class=\"(\w+)\")?>\s*<td><a[^>]*>([^<]+)</a>", body)
    assert ("overdue", "Evaluatie te laat") in rows
    assert ("", "Evaluatie binnenkort") in rows
    assert [kind for _, kind in rows].index("Evaluatie te laat") < [kind for _, kind in rows].index(
        "Evaluatie binnenkort"
    )  # most urgent
    assert "Te laat" in body


def test_the_gids_has_an_own_inbox(client, world, inbox):
    login_as(client, world.gids)
    assert _badge(client.get("/gids/").get_data(as_text=True)) == "1"
    body = client.get("/gids/taken").get_data(as_text=True)
    assert "Termijn verstreken" in body and "Evaluatie binnenkort" not in body
    assert f"/gids/trajecten/{inbox['trajectory'].id}" in body
    assert _badge(body) is None
    login_as(client, world.gids2)
    body = client.get("/gids/taken").get_data(as_text=True)
    assert "Geen open taken." in body and "Anna" not in body


def test_another_provider_sees_none_of_these_tasks(client, world, inbox):
    login_as(client, world.aanbieder_b)
    body = client.get("/aanbieder/taken").get_data(as_text=True)
    assert _badge(body) is None
    assert "Geen open taken." in body and "Anna" not in body


def test_a_submitted_evaluation_takes_its_prompts_away(client, world, session, inbox):
    from .helpers import post_form

    login_as(client, world.aanbieder_a)
    t, evaluation = inbox["trajectory"], inbox["evaluation"]
    url = f"/aanbieder/evaluaties/{evaluation.id}"
    data = {
        "held_on": NOW.isoformat(),
        "participants": ["inwoner"],
        "summary": "Goed gesprek",
        "need_changed": "nee",
        f"score_{t.results[0].id}": "0",
    }
    assert post_form(client, url, url, data).status_code == 302
    body = client.get("/aanbieder/taken").get_data(as_text=True)
    assert "Geen open taken." in body
    login_as(client, world.gids)
    assert "Evaluatie beoordelen" in client.get("/gids/taken").get_data(as_text=True)


def test_managers_have_no_inbox_and_their_pages_never_count_tasks(client, world, inbox):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    login_as(client, world.manager)
    assert client.get("/gids/taken").status_code == 403
    assert client.get("/aanbieder/taken").status_code == 403
    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        body = client.get("/manager/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "/taken" not in body
    assert not [s for s in statements if "tasks" in s]


def test_the_header_costs_one_count_query(client, world, inbox):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    login_as(client, world.aanbieder_a)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get("/aanbieder/declaraties")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    on_tasks = [s for s in statements if "tasks" in s]
    assert len(on_tasks) == 1 and "count(" in on_tasks[0].lower()


def test_a_signal_is_marked_handled_with_its_button_and_stays_on_the_page(
    client, world, session, inbox
):
    from .helpers import csrf_token

    login_as(client, world.gids)
    page = client.get("/gids/taken")
    (task,) = session.scalars(select(Task).where(Task.user_id == world.gids.id)).all()
    action = f"/gids/taken/{task.id}/afgehandeld?page=1"
    assert f'action="{action}"' in page.get_data(as_text=True)

    response = client.post(action, data=dict([csrf_token(page)]))

    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/gids/taken?page=1"
    )
    session.expire_all()
    assert task.done_at is not None
    body = client.get("/gids/taken").get_data(as_text=True)
    assert "De taak is afgehandeld." in body and "Geen open taken." in body


def test_an_evaluation_prompt_has_no_button_and_cannot_be_posted_away(
    client, world, session, inbox
):
    from .helpers import csrf_token

    login_as(client, world.aanbieder_a)
    page = client.get("/aanbieder/taken")
    assert "/afgehandeld" not in page.get_data(as_text=True)
    prompt = session.scalars(select(Task).where(Task.kind == TaskKind.EVALUATIE_BINNENKORT)).one()

    response = client.post(
        f"/aanbieder/taken/{prompt.id}/afgehandeld",
        data=dict([csrf_token(page)]),
        follow_redirects=True,
    )

    assert "verdwijnt vanzelf" in response.get_data(as_text=True)
    session.expire_all()
    assert prompt.done_at is None


def test_another_users_task_gives_404_and_a_post_without_token_changes_nothing(
    client, world, session, inbox
):
    from .helpers import csrf_token

    (gids_task,) = session.scalars(select(Task).where(Task.user_id == world.gids.id)).all()
    login_as(client, world.gids2)
    page = client.get("/gids/taken")
    assert (
        client.post(
            f"/gids/taken/{gids_task.id}/afgehandeld", data=dict([csrf_token(page)])
        ).status_code
        == 404
    )
    login_as(client, world.gids)
    assert client.post(f"/gids/taken/{gids_task.id}/afgehandeld").status_code in (302, 400)
    session.expire_all()
    assert gids_task.done_at is None


def test_a_large_backlog_is_paged_and_the_badge_says_99_plus(client, world, session, inbox):
    t = inbox["trajectory"]
    for i in range(130):
        add_task(
            session,
            TaskKind.EVALUATIE_TE_LAAT,
            t,
            provider_id=world.zorg_a.id,
            ref=50_000 + i,
            due_on=NOW - timedelta(days=i % 40),
        )
    session.flush()
    login_as(client, world.aanbieder_a)
    assert '<span class="badge">99+<' in client.get("/aanbieder/").get_data(as_text=True)

    first = client.get("/aanbieder/taken").get_data(as_text=True)
    assert "132 open taken" in first and "Pagina 1 van 3" in first
    assert first.count("marker-nieuw") == 50
    third = client.get("/aanbieder/taken?page=3").get_data(as_text=True)
    assert "Pagina 3 van 3" in third
    assert client.get("/aanbieder/taken?page=abc").status_code == 200
