"""Time incoming iWmo/iJw messages through the one entry point, ``incoming.receive``.

Each run builds a FRESH database (everything in it is dropped): five providers whose contracts
are *berichtenverkeer*, a Wmo and a Jeugd profile with product codes, and N trajectories in the
states the messages need, bulk-loaded. Then it hands ``receive`` a realistic mix of messages, one
transaction per message as a transport does (``flask berichten verwerk``, the HTTP gateway),
and prints messages per second. Every run starts from a fresh load, since the messages change
the trajectories they name; the figure is the median of ``--repeat`` runs, once with the
published XSDs (``--xsd-dir``, default ``../shared/istandaarden``) and once without.

The mix of ``--messages`` (default 10,000), shuffled with a fixed seed:

* 40 % start zorg (305) on accepted trajectories — care starts, evaluations are planned;
* 30 % stop zorg (307) on running ones — an end-of-care report and the gids's task;
* 20 % declaraties (323) on closed ones — a claim, its task and the declaration's rows;
* 10 % refused: a 305 naming an unknown toewijzing or another provider's trajectory (9019), a
  307 for care never started (9063), a 323 for a trajectory not closed (9326), a 305 whose start
  lies after its own date (refused within the message, 0001), a Bsn of eight digits (against
  the schema: refused as a whole; without the schema, by the rule within the message) — and
  a few messages sent a second time (answered from the first, as ``receive`` is idempotent).

Every message is answered (306, 308, 325 in the outbox) except those the schema refuses.

Usage:

    .venv/bin/python bench/berichten.py --database-url sqlite:////tmp/bench_berichten.sqlite3
    psql -h 127.0.0.1 -U postgres -c 'create database bench_berichten'
    .venv/bin/python bench/berichten.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_berichten
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app  # noqa: E402
from app.cli import run_migrations  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.scheduler_tick import fresh_database  # noqa: E402
from models import (  # noqa: E402
    AgreedResult,
    Channel,
    Contract,
    ContractRole,
    Domain,
    Household,
    Message,
    MessageState,
    Provider,
    Resident,
    Role,
    SupportProfile,
    Tariff,
    Trajectory,
    User,
)
from tests.berichten.xsd import istandaarden_dir  # noqa: E402
from workflows import audit  # noqa: E402
from workflows.berichten import codes, xml  # noqa: E402
from workflows.berichten.actor import system_actor  # noqa: E402
from workflows.berichten.incoming import receive  # noqa: E402
from workflows.berichten.provider_system import (  # noqa: E402
    Product,
    Toewijzing,
    cents,
    declaratie,
    start_zorg,
    stop_zorg,
)
from workflows.berichten.schemas import NO_SCHEMAS, Schemas  # noqa: E402
from workflows.bsn import bsn_check_digit  # noqa: E402
from workflows.bulk import write_rows  # noqa: E402
from workflows.dates import jeugd_decision_end  # noqa: E402

TODAY = date(2026, 11, 2)
MUNICIPALITY = "0303"
PRICE = Decimal("3800.00")
PROFILES = {Domain.WMO: ("02A03", "02"), Domain.JEUGD: ("45A01", "45")}
ENDED_AS_PLANNED = {Domain.WMO: "19", Domain.JEUGD: "31"}
PROVIDERS = 5
STAMP = datetime(2026, 10, 1, 9, tzinfo=UTC)


@dataclass
class Load:
    """What a run sends: (provider id, kind, body), in order."""

    messages: list[tuple[int, str, bytes]] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)


@dataclass
class Row:
    """One trajectory to load and the message it will get."""

    kind: str  # what it is sent: 305, 307, 323, or a refusal's name
    domain: Domain
    state: str
    provider: int  # index
    id: int = 0
    resident: int = 0
    bsn: str = ""
    birth: date = date(1950, 1, 1)


def valid_bsns(count: int) -> list[str]:
    """``count`` distinct numbers that pass the 11-proef."""
    found: list[str] = []
    n = 10_000_000
    while len(found) < count:
        bsn = bsn_check_digit(f"{n:08d}")
        if bsn is not None:
            found.append(bsn)
        n += 1
    return found


def plan(messages: int, seed: int) -> list[Row]:
    """The trajectories and what each is sent (see the module docstring for the mix)."""
    rng = random.Random(seed)
    shares = [
        ("305", "geaccepteerd", 0.40),
        ("307", "actief", 0.30),
        ("323", "afgesloten", 0.20),
        ("unknown", "geaccepteerd", 0.02),
        ("other provider", "geaccepteerd", 0.02),
        ("never started", "geaccepteerd", 0.015),
        ("not closed", "actief", 0.015),
        ("start after date", "geaccepteerd", 0.01),
        ("eight-digit bsn", "geaccepteerd", 0.01),
    ]
    rows: list[Row] = []
    for kind, state, share in shares:
        for _ in range(round(messages * share)):
            domain = Domain.JEUGD if rng.random() < 0.3 else Domain.WMO
            rows.append(Row(kind, domain, state, rng.randrange(PROVIDERS)))
    return rows


def reference(session: Session) -> dict[str, Any]:
    """Profiles with product codes, tariffs, providers with berichtenverkeer contracts, a gids."""
    profiles: dict[Domain, tuple[int, int]] = {}
    for domain, (code, category) in PROFILES.items():
        profile = SupportProfile(code=code, name=code, domain=domain, category_code=category)
        profile.tariffs.append(
            Tariff(
                intensity="middel",
                valid_from=date(2021, 1, 1),
                price=PRICE,
                standard_duration_weeks=26,
                evaluation_interval_months=3 if domain == Domain.JEUGD else 6,
            )
        )
        session.add(profile)
        session.flush()
        profiles[domain] = (profile.id, profile.tariffs[0].id)
    providers = []
    for i in range(PROVIDERS):
        provider = Provider(name=f"Zorg {i}", agb_code=f"{20000000 + i}")
        provider.contracts = [
            Contract(
                profile_id=profile_id,
                role=ContractRole.HOOFDAANNEMER,
                valid_from=date(2021, 1, 1),
                channel=Channel.BERICHTENVERKEER,
            )
            for profile_id, _tariff in profiles.values()
        ]
        providers.append(provider)
    session.add_all(providers)
    gids = User(email="gids@bench.test", name="Gids", role=Role.GIDS, password_hash="x")
    session.add(gids)
    session.flush()
    for provider in providers:
        system_actor(session, provider)
    return {
        "profiles": profiles,
        "providers": [p.id for p in providers],
        "agb": [p.agb_code for p in providers],
        "gids": gids.id,
    }


def load(session: Session, rows: list[Row], ref: dict[str, Any]) -> None:
    """Residents, households and trajectories for ``rows``, in bulk."""
    connection = session.connection()
    bsns = valid_bsns(len(rows))
    households, residents, trajectories, results = [], [], [], []
    for n, row in enumerate(rows, start=1):
        row.id = row.resident = n
        row.bsn = bsns[n - 1]
        row.birth = (
            date(2012, 1, 1) + timedelta(days=n % 1500)
            if row.domain == Domain.JEUGD
            else (date(1945, 1, 1) + timedelta(days=n % 10_000))
        )
        households.append({"id": n, "gids_id": ref["gids"], "created_at": STAMP})
        residents.append(
            {
                "id": n,
                "bsn": row.bsn,
                "given_name": "Bench",
                "family_name": f"Inwoner {n}",
                "birth_date": row.birth,
                "household_id": n,
                "created_at": STAMP,
                "version": 1,
            }
        )
        profile_id, tariff_id = ref["profiles"][row.domain]
        if row.state == "afgesloten":
            start, end = TODAY - timedelta(days=200), TODAY - timedelta(days=10)
        elif row.state == "actief":
            start, end = TODAY - timedelta(days=100), TODAY + timedelta(days=80)
        else:
            start, end = TODAY - timedelta(days=10), TODAY + timedelta(days=170)
        decision_end = jeugd_decision_end(row.birth) if row.domain == Domain.JEUGD else end
        assert decision_end >= end
        closed = row.state == "afgesloten"
        trajectories.append(
            {
                "id": n,
                "resident_id": n,
                "gids_id": ref["gids"],
                "domain": row.domain.value,
                "profile_id": profile_id,
                "intensity": "middel",
                "tariff_id": tariff_id,
                "provider_id": ref["providers"][row.provider],
                "need_type": "eindig",
                "price": PRICE,
                "planned_start": start,
                "planned_end": end,
                "decision_date": start - timedelta(days=20),
                "decision_end": decision_end,
                "care_start": start if row.state in ("actief", "afgesloten") else None,
                "care_end": end if closed else None,
                "state": row.state,
                "closure_category": "a" if closed else None,
                "end_reason_code": ENDED_AS_PLANNED[row.domain] if closed else None,
                "result_achieved": True if closed else None,
                "uses_zrm": False,
                "term_prompt_stage": 0,
                "version": 1,
                "created_at": STAMP,
                "updated_at": STAMP,
            }
        )
        results.append(
            {"id": n, "trajectory_id": n, "position": 0, "description": "Zelfstandig wonen"}
        )
    for table, model, values in (
        ("households", Household, households),
        ("residents", Resident, residents),
        ("trajectories", Trajectory, trajectories),
        ("agreed_results", AgreedResult, results),
    ):
        write_rows(connection, model.__table__, values)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE")


def toewijzing_of(row: Row, ref: dict[str, Any], provider: int) -> tuple[Toewijzing, Product]:
    """The toewijzing as the provider's system holds it (the client's details, the product)."""
    domain = row.domain
    root = xml.message_root(domain, "301")
    client = xml.add(root, "Client")
    xml.add(client, "Bsn", row.bsn)
    born = xml.add(client, "Geboortedatum")
    xml.add(born, "Datum", row.birth, basis=True)
    xml.add(client, "Geslacht", codes.GESLACHT_ONBEKEND)
    name = xml.add(client, "Naam")
    family = xml.add(name, "Geslachtsnaam", basis=True)
    xml.add(family, "Achternaam", f"Inwoner {row.id}", basis=True)
    xml.add(name, "NaamGebruik", codes.NAAMGEBRUIK_EIGEN, basis=True)
    code, category = PROFILES[domain]
    if row.state == "afgesloten":
        start, end = TODAY - timedelta(days=200), TODAY - timedelta(days=10)
    elif row.state == "actief":
        start, end = TODAY - timedelta(days=100), TODAY + timedelta(days=80)
    else:
        start, end = TODAY - timedelta(days=10), TODAY + timedelta(days=170)
    product = Product(
        number=row.id,
        category=category,
        code=code,
        start=start,
        end=end,
        change_reason=None,
        volume=cents(PRICE),
        unit=codes.EENHEID_EURO,
    )
    toewijzing = Toewijzing(
        domain=domain,
        municipality=MUNICIPALITY,
        agb_code=ref["agb"][provider],
        identification=f"TW{row.id:010d}",
        dated_on=start - timedelta(days=20),
        bsn=row.bsn,
        client=client,
        products=(product,),
        body=b"",
    )
    return toewijzing, product


def messages_for(rows: list[Row], ref: dict[str, Any], seed: int) -> Load:
    """The bodies, built as a provider's system builds them, shuffled; then the replays."""
    out = Load()
    for row in rows:
        sender = row.provider
        if row.kind == "other provider":
            sender = (row.provider + 1) % PROVIDERS  # names a trajectory of the next provider
        toewijzing, product = toewijzing_of(row, ref, sender)
        ident = f"B{row.id}"
        if row.kind in ("305", "unknown", "other provider", "start after date", "eight-digit bsn"):
            if row.kind == "unknown":
                product = Product(**{**product.__dict__, "number": 900_000_000 + row.id})
            begin = product.start if row.kind != "start after date" else TODAY + timedelta(days=3)
            if row.kind == "eight-digit bsn":
                toewijzing = Toewijzing(**{**toewijzing.__dict__, "bsn": row.bsn[:8]})
                bsn = toewijzing.client.find("{*}Bsn")
                assert bsn is not None
                bsn.text = row.bsn[:8]
            body = start_zorg(
                toewijzing,
                product,
                identification=ident,
                today=TODAY,
                begin=begin,
                schemas=NO_SCHEMAS,
            )
            kind = "305"
        elif row.kind in ("307", "never started"):
            begin = product.start
            body = stop_zorg(
                toewijzing,
                product,
                identification=ident,
                today=TODAY,
                begin=begin,
                end=TODAY - timedelta(days=1),
                reason=ENDED_AS_PLANNED[row.domain],
                schemas=NO_SCHEMAS,
            )
            kind = "307"
        else:  # 323, not closed
            assert product.end is not None
            body = declaratie(
                toewijzing,
                product,
                identification=ident,
                today=TODAY,
                number=f"D{row.id}",
                reference=f"P{row.id}",
                product_code=PROFILES[row.domain][0],
                period=(product.start, min(product.end, TODAY - timedelta(days=1))),
                amount=cents(PRICE),
                schemas=NO_SCHEMAS,
            )
            kind = "323"
        out.messages.append((ref["providers"][sender], kind, body))
        out.kinds[row.kind] += 1
    rng = random.Random(seed)
    rng.shuffle(out.messages)
    replays = [out.messages[i] for i in range(0, len(out.messages), 100)][: len(rows) // 100]
    for message in replays:
        out.messages.insert(rng.randrange(len(out.messages) // 2, len(out.messages)), message)
    out.kinds["sent again"] = len(replays)
    return out


def prepare(app: Any, url: str, messages: int, seed: int) -> tuple[Load, dict[str, Any]]:
    fresh_database(url)
    assert db.engine is not None
    if db.engine.dialect.name == "sqlite":
        db.engine.dispose()
    with app.app_context():
        run_migrations()
    rows = plan(messages, seed)
    with db.sessions() as session:
        ref = reference(session)
        load(session, rows, ref)
        session.commit()
    return messages_for(rows, ref, seed), ref


def apply(load_: Load, schemas: Schemas) -> tuple[float, Counter[str]]:
    """Receive every message, one transaction each; returns the seconds and the outcomes."""
    outcomes: Counter[str] = Counter()
    with db.sessions() as session:
        providers = {p.id: p for p in session.scalars(select(Provider))}
        actors = {p.id: system_actor(session, p) for p in providers.values()}
        session.commit()
        started = time.perf_counter()
        for provider_id, kind, body in load_.messages:
            provider = providers[provider_id]
            system = actors[provider_id]
            audit.set_context(
                session,
                audit.AuditContext(user_id=system.id, role="aanbieder", endpoint="bench berichten"),
            )
            message = receive(session, provider, body, TODAY, schemas)
            outcomes[f"{kind} {message.state.value}"] += 1
            session.commit()
        seconds = time.perf_counter() - started
    return seconds, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--xsd-dir",
        default=None,
        help="the iStandaarden XSD folder (default: ../shared/istandaarden beside the repository)",
    )
    parser.add_argument("--only", choices=("xsd", "no-xsd"), default=None)
    args = parser.parse_args()
    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "bench",
            "MUNICIPALITY_CODE": MUNICIPALITY,
        }
    )
    assert db.engine is not None
    print(
        f"database: {db.engine.dialect.name} {args.database_url.split('@')[-1]}; "
        f"{args.messages:,} messages, {args.repeat} runs each; load {os.getloadavg()}"
    )
    xsd_dir = Path(args.xsd_dir) if args.xsd_dir else istandaarden_dir()
    with_xsd = Schemas(xsd_dir)
    if not all(with_xsd.available(d, k) for d in Domain for k in ("305", "307", "323")):
        raise SystemExit(f"no iStandaarden schemas in {xsd_dir} (--xsd-dir)")
    variants = [("with XSD", with_xsd), ("without XSD", Schemas(None))]
    if args.only:
        variants = [variants[0 if args.only == "xsd" else 1]]
    for name, schemas in variants:
        rates = []
        for run in range(1, args.repeat + 1):
            load_, _ref = prepare(app, args.database_url, args.messages, args.seed)
            seconds, outcomes = apply(load_, schemas)
            rate = len(load_.messages) / seconds
            rates.append(rate)
            with db.sessions() as session:
                answers = session.scalar(
                    select(func.count(Message.id)).where(Message.state == MessageState.KLAAR)
                )
            print(
                f"{name}, run {run}: {len(load_.messages):,} messages in {seconds:.1f} s = "
                f"{rate:,.1f}/s; {answers:,} answers in the outbox; load {os.getloadavg()[0]:.2f}"
            )
            if run == 1:
                print(f"  mix: {dict(load_.kinds)}")
                print(f"  outcomes: {dict(sorted(outcomes.items()))}")
        print(f"{name}: median {statistics.median(rates):,.1f} messages/s")


if __name__ == "__main__":
    main()
