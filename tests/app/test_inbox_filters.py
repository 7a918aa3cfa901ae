"""The gids's inbox filtered and sorted through query-string values (bookmarkable), the counts
per kind, bad values that are ignored (never a 500), and new hand-overs on the first screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import delete, select, update

from models import Domain, Task, TaskKind, TrajectoryState
from workflows.inbox import InboxFilter, InboxOrder, counts_by_kind, new_handovers, open_tasks

from .care import NOW, active
from .helpers import csrf_token, login_as

S = TrajectoryState


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def _created(session, task_kind: TaskKind, days_ago: int) -> None:
    when = datetime(NOW.year, NOW.month, NOW.day, 9, tzinfo=UTC) - timedelta(days=days_ago)
    session.execute(update(Task).where(Task.kind == task_kind).values(created_at=when))


@pytest.fixture
def tasks(session, world):
    """Three open tasks of the gids, on a Wmo and a Jeugd trajectory, with known due dates and
    arrival times: the overdue signal is oldest, the returned proposal newest."""
    from workflows.inbox import add_task

    wmo = active(session, world)
    jeugd = active(session, world, resident_id=world.child.id, profile_id=world.amb.id)
    session.execute(delete(Task))
    add_task(session, TaskKind.TERMIJN_VERSTREKEN, wmo, user_id=world.gids.id, due_on=NOW)
    add_task(
        session, TaskKind.JEUGD_18, jeugd, user_id=world.gids.id, due_on=NOW + timedelta(days=30)
    )
    add_task(
        session,
        TaskKind.TERUGGESTUURD,
        wmo,
        user_id=world.gids.id,
        due_on=NOW + timedelta(days=2),
    )
    _created(session, TaskKind.TERMIJN_VERSTREKEN, 5)
    _created(session, TaskKind.JEUGD_18, 3)
    _created(session, TaskKind.TERUGGESTUURD, 1)
    session.flush()
    return {"wmo": wmo, "jeugd": jeugd}


def _kinds(body: str) -> list[str]:
    """The task labels in the inbox table, top to bottom."""
    table = body[body.index("<table") :]
    return re.findall(r"<tr(?: class=\"\w+\")?>\s*<td><a[^>]*>([^<]+)</a>", table)


RETURNED = "Voorstel teruggestuurd door de aanbieder"
LATE = "Termijn verstreken"
EIGHTEEN = "Wordt binnen 6 maanden 18: overgang naar de Wmo voorbereiden"


def test_the_workflow_filters_sorts_and_counts(session, world, tasks):
    due = open_tasks(session, world.gids)
    assert [t.kind for t in due.items] == [
        TaskKind.TERMIJN_VERSTREKEN,
        TaskKind.TERUGGESTUURD,
        TaskKind.JEUGD_18,
    ]
    newest = open_tasks(session, world.gids, wanted=InboxFilter(order=InboxOrder.NEWEST))
    assert [t.kind for t in newest.items] == [
        TaskKind.TERUGGESTUURD,
        TaskKind.JEUGD_18,
        TaskKind.TERMIJN_VERSTREKEN,
    ]
    jeugd = open_tasks(session, world.gids, wanted=InboxFilter.parse(None, "jeugd", None))
    assert [t.kind for t in jeugd.items] == [TaskKind.JEUGD_18] and jeugd.total == 1
    assert counts_by_kind(session, world.gids) == {
        TaskKind.TERMIJN_VERSTREKEN: 1,
        TaskKind.JEUGD_18: 1,
        TaskKind.TERUGGESTUURD: 1,
    }
    assert counts_by_kind(session, world.gids, tasks["wmo"].domain) == {
        TaskKind.TERMIJN_VERSTREKEN: 1,
        TaskKind.TERUGGESTUURD: 1,
    }
    assert counts_by_kind(session, world.gids2) == {}
    handovers, total = new_handovers(session, world.gids)
    assert [t.kind for t in handovers] == [TaskKind.TERUGGESTUURD] and total == 1


def test_unknown_filter_values_are_ignored():
    assert InboxFilter.parse("geen-soort", "nergens", "willekeurig") == InboxFilter()
    assert InboxFilter.parse("teruggestuurd", "wmo", "nieuwste") == InboxFilter(
        TaskKind.TERUGGESTUURD, Domain.WMO, InboxOrder.NEWEST
    )


def test_the_inbox_page_filters_by_kind_and_domain_and_sorts(client, world, tasks):
    login_as(client, world.gids)
    assert _kinds(client.get("/gids/taken").get_data(as_text=True)) == [LATE, RETURNED, EIGHTEEN]
    newest = client.get("/gids/taken?volgorde=nieuwste").get_data(as_text=True)
    assert _kinds(newest) == [RETURNED, EIGHTEEN, LATE]
    assert '<option value="nieuwste" selected>' in newest
    only = client.get("/gids/taken?soort=teruggestuurd").get_data(as_text=True)
    assert _kinds(only) == [RETURNED]
    assert "1 open taak" in only
    assert '<option value="teruggestuurd" selected>' in only
    jeugd = client.get("/gids/taken?domein=jeugd").get_data(as_text=True)
    assert _kinds(jeugd) == [EIGHTEEN]
    none = client.get("/gids/taken?domein=jeugd&soort=teruggestuurd").get_data(as_text=True)
    assert "Geen open taken die aan dit filter voldoen." in none


def test_the_inbox_shows_a_count_per_kind(client, world, tasks):
    login_as(client, world.gids)
    body = client.get("/gids/taken").get_data(as_text=True)
    counts = dict(
        re.findall(
            r'<li><a href="[^"]*soort=(\w+)[^"]*"[^>]*>[^<]+: '
            r'<span class="count">(\d+)</span></a>',
            body,
        )
    )
    assert counts == {"termijn_verstreken": "1", "jeugd_18": "1", "teruggestuurd": "1"}
    assert f"{RETURNED} (1)" in body
    wmo = client.get("/gids/taken?domein=wmo").get_data(as_text=True)
    assert "jeugd_18" not in wmo.split('id="filter-soort"')[1].split("</select>")[0]


@pytest.mark.parametrize(
    "query",
    [
        "soort=bestaat-niet",
        "domein=%3Cscript%3E",
        "volgorde=1;drop table tasks",
        "soort=&domein=&volgorde=",
        "soort=teruggestuurd&soort=jeugd_18",
        "page=-3&volgorde=nieuwste",
        "page=99999999999999999999",
        "domein=" + "x" * 5000,
    ],
)
def test_bad_filter_values_never_give_an_error(client, world, tasks, query):
    login_as(client, world.gids)
    response = client.get(f"/gids/taken?{query}")
    assert response.status_code == 200
    assert len(_kinds(response.get_data(as_text=True))) >= 1


def test_another_gids_and_a_provider_see_none_of_it(client, world, tasks):
    login_as(client, world.gids2)
    body = client.get("/gids/taken?soort=teruggestuurd").get_data(as_text=True)
    assert "Anna" not in body and "Bram" not in body
    assert "Er wacht geen nieuw werk" in client.get("/gids/").get_data(as_text=True)
    login_as(client, world.aanbieder_a)
    assert client.get("/gids/taken?soort=teruggestuurd").status_code == 403


def test_dismissing_keeps_the_filter(client, world, session, tasks):
    login_as(client, world.gids)
    page = client.get("/gids/taken?soort=termijn_verstreken&volgorde=nieuwste")
    task = session.scalars(select(Task).where(Task.kind == TaskKind.TERMIJN_VERSTREKEN)).one()
    action = f"/gids/taken/{task.id}/afgehandeld?page=1&soort=termijn_verstreken&volgorde=nieuwste"
    assert f'action="{action.replace("&", "&amp;")}"' in page.get_data(as_text=True)
    response = client.post(action, data=dict([csrf_token(page)]))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        "/gids/taken?page=1&soort=termijn_verstreken&volgorde=nieuwste"
    )


def test_a_returned_proposal_is_on_the_first_screen(client, world, tasks):
    login_as(client, world.gids)
    body = client.get("/gids/").get_data(as_text=True)
    section = body[body.index('id="handovers-title"') : body.index("</section>")]
    assert RETURNED in section and "Anna de Vries" in section
    assert f'href="/gids/trajecten/{tasks["wmo"].id}"' in section
    assert LATE not in section  # a prompt of the scheduler is not a hand-over
    assert "Volgende evaluatie" in body


def test_the_caseload_shows_the_next_evaluation(client, world, tasks):
    from .care import planned_evaluation

    login_as(client, world.gids)
    body = client.get("/gids/").get_data(as_text=True)
    due = planned_evaluation(tasks["wmo"]).due_on
    row = body[body.index(f'/gids/trajecten/{tasks["wmo"].id}">Anna') :].split("</tr>")[0]
    assert due.strftime("%d-%m-%Y") in row


def test_a_provider_filters_its_own_inbox(client, world, session):
    from workflows.inbox import add_task

    t = active(session, world)
    session.execute(delete(Task))
    add_task(session, TaskKind.VOORSTEL_NIEUW, t, provider_id=world.zorg_a.id, due_on=NOW)
    add_task(session, TaskKind.OPSCHALING_AFGEWEZEN, t, provider_id=world.zorg_a.id, due_on=NOW)
    add_task(session, TaskKind.VOORSTEL_NIEUW, t, provider_id=world.zorg_b.id, due_on=NOW)
    session.flush()
    login_as(client, world.aanbieder_a)
    body = client.get("/aanbieder/taken?soort=voorstel_nieuw").get_data(as_text=True)
    assert _kinds(body) == ["Nieuw voorstel: accepteren of terugsturen"]
    assert "Nieuw voorstel: accepteren of terugsturen (1)" in body
    assert "Verzoek om op- of afschalen afgewezen (1)" in body
    login_as(client, world.aanbieder_b)
    other = client.get("/aanbieder/taken?soort=opschaling_afgewezen").get_data(as_text=True)
    assert "Geen open taken die aan dit filter voldoen." in other
