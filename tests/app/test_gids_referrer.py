"""The referrer (Verwijzer) on the gids's pages: asked on the trajectory and aanmelding forms,
kept on a refusal, preselected from the aanmelding, required to send a Jeugd trajectory, and
shown on the trajectory page and in the Trajectafspraken."""

from __future__ import annotations

from sqlalchemy import select

from models import Domain, ReferrerType, Trajectory, TrajectoryState
from workflows import clock
from workflows.aanmeldingen import register_aanmelding

from ..factories import JEUGD_REFERRER, TODAY, make_trajectory
from .helpers import field_error, input_value, login_as, post_form, select_options
from .test_pdf import pdf_text


def _chosen(body: str, name: str) -> list[str]:
    return [value for value, _label, selected in select_options(body, name) if selected]


def _new_url(world, resident) -> str:
    return f"/gids/inwoners/{resident.id}/trajecten/nieuw"


def _jeugd_data(world, **overrides):
    """A valid Jeugd trajectory for Bram with Zorg A, starting today, with a referrer."""
    data = {
        "profile_id": str(world.amb.id), "intensity": "middel",
        "planned_start": clock.today().isoformat(), "provider_id": str(world.zorg_a.id),
        "subcontractor_id": "", "need_type": "eindig", "planned_end": "", "price": "",
        "price_reason": "", "results-0-description": "Bram gaat weer naar school",
        "results-0-measure": "", "referrer_type": "02",
        "referrer_name": "Huisartsenpraktijk De Linde", "submit": "Opslaan als concept",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_trajectory_form_asks_the_referrer_with_the_code_lists_labels(client, world):
    login_as(client, world.gids)
    body = client.get(_new_url(world, world.child)).get_data(as_text=True)
    options = dict((value, label) for value, label, _ in select_options(body, "referrer_type"))
    assert options["02"] == "Huisarts" and options["06"] == "Zelfverwijzer / geen verwijzer"
    assert options[""] and set(options) == {"", *(t.value for t in ReferrerType)}
    assert "Alleen bij Jeugd" in body


def test_a_jeugd_trajectory_is_saved_with_its_referrer(client, world, session):
    login_as(client, world.gids)
    url = _new_url(world, world.child)
    assert post_form(client, url, url, _jeugd_data(world)).status_code == 302
    stored = session.scalars(select(Trajectory)).one()
    assert (stored.referrer_type, stored.referrer_name) == (
        ReferrerType.HUISARTS,
        "Huisartsenpraktijk De Linde",
    )


def test_a_refused_form_keeps_the_referrer_as_typed(client, world, session):
    login_as(client, world.gids)
    url = _new_url(world, world.child)
    data = _jeugd_data(world, price="9000,00", price_reason="")
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "vraagt een reden" in field_error(body, "price_reason")
    assert _chosen(body, "referrer_type") == ["02"]
    assert input_value(body, "referrer_name") == "Huisartsenpraktijk De Linde"


def test_a_too_long_or_unknown_referrer_is_named_in_dutch_and_kept(client, world, session):
    login_as(client, world.gids)
    url = _new_url(world, world.child)
    data = _jeugd_data(world, referrer_name="x" * 65)
    body = post_form(client, url, url, data).get_data(as_text=True)
    assert "hoogstens 64 tekens" in field_error(body, "referrer_name")
    assert input_value(body, "referrer_name") == "x" * 65
    body = post_form(client, url, url, _jeugd_data(world, referrer_type="07")).get_data(
        as_text=True
    )
    assert "Kies een verwijzer uit de lijst." in field_error(body, "referrer_type")
    assert session.scalars(select(Trajectory)).first() is None


def test_sending_a_jeugd_trajectory_without_a_referrer_is_refused_on_the_page(
    client, world, session
):
    trajectory = make_trajectory(
        session, world, today=clock.today(), resident_id=world.child.id,
        profile_id=world.amb.id, referrer_type=None, planned_start=clock.today(),
    )  # fmt: skip
    session.commit()
    login_as(client, world.gids)
    url = f"/gids/trajecten/{trajectory.id}"
    response = post_form(
        client, url, f"{url}/versturen", {"version": str(trajectory.version)}, prefix="propose"
    )
    body = response.get_data(as_text=True)
    assert "Kies wie de jeugdige heeft verwezen" in body
    assert "geplande start" not in body.lower()  # refused for the referrer alone
    session.refresh(trajectory)
    assert trajectory.state == TrajectoryState.CONCEPT


def test_the_new_trajectory_form_takes_the_referrer_from_the_aanmelding(client, world, session):
    item = register_aanmelding(
        session, world.child, world.gids, request_date=TODAY, domain=Domain.JEUGD,
        question="Vastlopen op school", today=TODAY, referrer_type=ReferrerType.JEUGDARTS,
        referrer_name="GGD Flevoland",
    )  # fmt: skip
    session.commit()
    login_as(client, world.gids)
    body = client.get(f"{_new_url(world, world.child)}?aanmelding={item.id}").get_data(as_text=True)
    assert _chosen(body, "referrer_type") == ["03"]
    assert input_value(body, "referrer_name") == "GGD Flevoland"


def test_the_aanmelding_form_records_the_referrer_and_its_page_shows_it(client, world, session):
    login_as(client, world.gids)
    url = f"/gids/inwoners/{world.child.id}/aanmelding"
    data = {
        "request_date": TODAY.isoformat(), "domain": "jeugd", "question": "Ruzie thuis",
        "referrer_type": "04", "referrer_name": "William Schrikker Stichting",
    }  # fmt: skip
    response = post_form(client, url, url, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gecertificeerde instelling: William Schrikker Stichting" in page


def test_the_aanmelding_form_keeps_the_referrer_on_a_refusal(client, world, session):
    login_as(client, world.gids)
    url = f"/gids/inwoners/{world.child.id}/aanmelding"
    data = {
        "request_date": TODAY.isoformat(), "domain": "jeugd", "question": "",
        "referrer_type": "05", "referrer_name": "St Jansdal, kinderarts",
    }  # fmt: skip
    body = post_form(client, url, url, data).get_data(as_text=True)
    assert "Beschrijf de hulpvraag." in field_error(body, "question")
    assert _chosen(body, "referrer_type") == ["05"]
    assert input_value(body, "referrer_name") == "St Jansdal, kinderarts"


def test_the_trajectory_page_and_the_agreement_show_a_jeugd_referrer(client, world, session):
    jeugd = make_trajectory(
        session, world, TrajectoryState.ACTIEF, resident_id=world.child.id,
        profile_id=world.amb.id,
    )  # fmt: skip
    wmo = make_trajectory(session, world, TrajectoryState.ACTIEF)
    session.commit()
    login_as(client, world.gids)
    shown = f"Huisarts: {JEUGD_REFERRER[1]}"
    assert shown in client.get(f"/gids/trajecten/{jeugd.id}").get_data(as_text=True)
    pdf = client.get(f"/gids/trajecten/{jeugd.id}/trajectafspraken.pdf")
    assert shown in pdf_text(pdf.data)
    page = client.get(f"/gids/trajecten/{wmo.id}").get_data(as_text=True)
    assert "Verwijzer" not in page.split("<h2>")[0]
    assert "Verwijzer" not in pdf_text(
        client.get(f"/gids/trajecten/{wmo.id}/trajectafspraken.pdf").data
    )
