"""Test data built through the models and workflows, small enough to reason about by hand.

Tariffs (profile × intensity: 2019-01-01…2020-12-31 | from 2021-01-01):
    WMO-HH (category 01, Laag/Zwaar only) laag 1200.00/26 wk | 1300.00/52 wk;
                                           zwaar 2400/26 | 2600/26
    WMO-BG  (category 02)                   laag 2000/26 | 2200/26; middel 3500/26 | 3800/26;
                                            zwaar 5000/26 | 5400/26
    JZ-AMB  (category 45)                   laag 3000/13 | 3100/13; middel 6000/26 | 6200/26;
                                            zwaar 9000/39 | 9300/39
Contracts: Zorg A main contractor for all three from 2019; Zorg B main for WMO-BG only;
Zorg C subcontractor for JZ-AMB; Zorg D main for WMO-HH, expired end 2020.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Contract,
    ContractRole,
    Domain,
    Household,
    Intensity,
    NeedType,
    ProfileIntensity,
    Provider,
    ReferrerType,
    Resident,
    Role,
    SupportProfile,
    Tariff,
    Trajectory,
    TrajectoryState,
    User,
    Wijk,
)
from workflows import trajectories as wf
from workflows.two_factor import SECOND_FACTOR_ROLES
from workflows.users import hash_password

PASSWORD = "geheim-wachtwoord"
TODAY = date(2026, 11, 2)
# Every test account that needs a second factor has it set up with this TOTP secret, so the
# helpers can compute a code with pyotp (tests/app/helpers.py); enrolment itself is tested with
# fresh accounts in tests/app/test_two_factor.py.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class World:
    dronten: Wijk
    hh: SupportProfile
    bg: SupportProfile
    amb: SupportProfile
    zorg_a: Provider
    zorg_b: Provider
    zorg_c: Provider
    zorg_d: Provider
    gids: User
    gids2: User
    aanbieder_a: User
    aanbieder_b: User
    manager: User
    beheerder: User
    adult: Resident
    child: Resident


def _profile(
    session: Session,
    code: str,
    name: str,
    domain: Domain,
    category: str,
    prices: dict[Intensity, tuple[tuple[str, int, int], tuple[str, int, int]]],
) -> SupportProfile:
    # The product code by the rule the migration fills existing profiles with.
    profile = SupportProfile(
        code=code, name=name, domain=domain, category_code=category, product_code=f"{category}001"
    )
    profile.intensities = [ProfileIntensity(intensity=i) for i in prices]
    interval = 3 if domain == Domain.JEUGD else 6
    for intensity, (old, new) in prices.items():
        profile.tariffs.append(
            Tariff(
                intensity=intensity,
                valid_from=date(2019, 1, 1),
                valid_to=date(2020, 12, 31),
                price=Decimal(old[0]),
                standard_duration_weeks=old[1],
                evaluation_interval_months=interval,
            )
        )
        profile.tariffs.append(
            Tariff(
                intensity=intensity,
                valid_from=date(2021, 1, 1),
                valid_to=None,
                price=Decimal(new[0]),
                standard_duration_weeks=new[1],
                evaluation_interval_months=interval,
            )
        )
    session.add(profile)
    return profile


def _user(
    session: Session,
    email: str,
    role: Role,
    provider: Provider | None = None,
    *,
    second_factor: bool = True,
) -> User:
    enrolled = second_factor and role in SECOND_FACTOR_ROLES
    user = User(
        email=email,
        name=email.split("@")[0].replace(".", " ").title(),
        role=role,
        password_hash=password_hash(),
        provider=provider,
        totp_secret=TOTP_SECRET if enrolled else None,
        totp_confirmed_at=datetime(2026, 1, 1, tzinfo=UTC) if enrolled else None,
    )
    session.add(user)
    return user


def build_world(session: Session) -> World:
    L, M, Z = Intensity.LAAG, Intensity.MIDDEL, Intensity.ZWAAR
    dronten = Wijk(name="Dronten")
    session.add(dronten)
    hh = _profile(
        session,
        "WMO-HH",
        "Hulp bij het huishouden",
        Domain.WMO,
        "01",
        {L: (("1200.00", 26), ("1300.00", 52)), Z: (("2400.00", 26), ("2600.00", 26))},
    )
    bg = _profile(
        session,
        "WMO-BG",
        "Begeleiding individueel",
        Domain.WMO,
        "02",
        {
            L: (("2000.00", 26), ("2200.00", 26)),
            M: (("3500.00", 26), ("3800.00", 26)),
            Z: (("5000.00", 26), ("5400.00", 26)),
        },
    )
    amb = _profile(
        session,
        "JZ-AMB",
        "Jeugdhulp ambulant",
        Domain.JEUGD,
        "45",
        {
            L: (("3000.00", 13), ("3100.00", 13)),
            M: (("6000.00", 26), ("6200.00", 26)),
            Z: (("9000.00", 39), ("9300.00", 39)),
        },
    )
    start = date(2019, 1, 1)
    zorg_a = Provider(name="Zorg A", agb_code="12345678")
    zorg_b = Provider(name="Zorg B", agb_code="87654321")
    zorg_c = Provider(name="Zorg C", agb_code="11223344")
    zorg_d = Provider(name="Zorg D", agb_code="44332211")
    main = ContractRole.HOOFDAANNEMER
    zorg_a.contracts = [Contract(profile=p, role=main, valid_from=start) for p in (hh, bg, amb)]
    zorg_b.contracts = [Contract(profile=bg, role=main, valid_from=start)]
    zorg_c.contracts = [Contract(profile=amb, role=ContractRole.ONDERAANNEMER, valid_from=start)]
    zorg_d.contracts = [
        Contract(profile=hh, role=main, valid_from=start, valid_to=date(2020, 12, 31))
    ]
    session.add_all([zorg_a, zorg_b, zorg_c, zorg_d])
    gids = _user(session, "gids@test.nl", Role.GIDS)
    gids2 = _user(session, "gids2@test.nl", Role.GIDS)
    aanbieder_a = _user(session, "aanbieder.a@test.nl", Role.AANBIEDER, zorg_a)
    aanbieder_b = _user(session, "aanbieder.b@test.nl", Role.AANBIEDER, zorg_b)
    manager = _user(session, "manager@test.nl", Role.MANAGER)
    beheerder = _user(session, "beheerder@test.nl", Role.BEHEERDER)
    household = Household(gids=gids)
    adult = Resident(
        bsn="111222333",
        given_name="Anna",
        family_name="de Vries",
        birth_date=date(1950, 5, 5),
        postcode="8251AB",
        wijk=dronten,
        household=household,
    )
    child_household = Household(gids=gids)
    child = Resident(
        bsn="123456782",
        given_name="Bram",
        family_name="Jansen",
        birth_date=date(2012, 2, 29),
        postcode="8251CD",
        wijk=dronten,
        household=child_household,
    )
    session.add_all([adult, child])
    session.flush()
    return World(
        dronten,
        hh,
        bg,
        amb,
        zorg_a,
        zorg_b,
        zorg_c,
        zorg_d,
        gids,
        gids2,
        aanbieder_a,
        aanbieder_b,
        manager,
        beheerder,
        adult,
        child,
    )


JEUGD_REFERRER = (ReferrerType.HUISARTS, "Huisartsenpraktijk De Linde")


def trajectory_input(world: World, **overrides: object) -> wf.TrajectoryInput:
    """A valid Wmo begeleiding (middel) trajectory for the adult with Zorg A, starting
    2026-11-09, with one agreed result. A Jeugd one (``profile_id=world.amb.id``) has a
    referrer (``JEUGD_REFERRER``) unless the overrides give one."""
    data = wf.TrajectoryInput(
        resident_id=world.adult.id,
        profile_id=world.bg.id,
        intensity=Intensity.MIDDEL,
        provider_id=world.zorg_a.id,
        need_type=NeedType.EINDIG,
        planned_start=date(2026, 11, 9),
        results=[wf.ResultInput("Anna doet zelf haar administratie", "Maandelijks gecheckt")],
    )
    if overrides.get("profile_id") == world.amb.id:
        data.referrer_type, data.referrer_name = JEUGD_REFERRER
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def make_trajectory(
    session: Session,
    world: World,
    state: TrajectoryState = TrajectoryState.CONCEPT,
    *,
    today: date = TODAY,
    provider_user: User | None = None,
    **overrides: object,
) -> Trajectory:
    """A trajectory driven through the real workflow up to ``state``; the concept is made on
    ``today`` (the later steps on ``TODAY``). ``provider_user`` (default: aanbieder A) answers
    for the provider; give the matching ``provider_id`` for another organisation."""
    S = TrajectoryState
    provider = provider_user or world.aanbieder_a
    t = wf.create_trajectory(session, trajectory_input(world, **overrides), world.gids, today=today)
    if state == S.CONCEPT:
        return t
    if state == S.GEANNULEERD:
        wf.cancel(session, t, world.gids, "Inwoner ziet af van hulp")
        return t
    wf.propose(session, t, world.gids, TODAY)
    if state == S.VOORGESTELD:
        return t
    if state == S.TERUGGESTUURD:
        wf.return_to_gids(session, t, provider, "Geen plek", TODAY)
        return t
    wf.accept(session, t, provider)
    if state == S.GEACCEPTEERD:
        return t
    wf.start_care(session, t, provider, TODAY, TODAY)
    if state == S.ACTIEF:
        return t
    wf.close(
        session,
        t,
        world.gids,
        care_end=TODAY,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=TODAY,
    )
    return t


def concept_starting_today(session: Session, world: World) -> Trajectory:
    """A concept planned to start on the real today (tests of the web pages that run on the
    clock): it can be sent today (``workflows.eligibility``: a planned start cannot lie before
    the decision)."""
    from workflows import clock

    today = clock.today()
    return make_trajectory(session, world, today=today, planned_start=today)


def make_user(
    session: Session,
    email: str,
    role: Role,
    provider: Provider | None = None,
    *,
    second_factor: bool = True,
) -> User:
    """An extra account with the shared test password (hashed once per run) and, for the roles
    that need one, the shared second factor (``second_factor=False``: not set up yet)."""
    user = _user(session, email, role, provider, second_factor=second_factor)
    session.flush()
    return user
