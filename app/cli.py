"""CLI commands: ``flask --app wsgi db|seed|users|wijken ...``. They call the same workflow
functions as the web app and commit once per command."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app, url_for
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from models import Role, User
from workflows import audit
from workflows.areas import add_wijk
from workflows.errors import DomainError
from workflows.invitations import invite
from workflows.two_factor import requires_second_factor, reset_second_factor
from workflows.users import create_user, find_by_email

from . import clock
from .config import ROOT
from .extensions import db
from .simulator_cli import simuleer_aanbieder

DEMO_PASSWORD = "demo-wachtwoord"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


@contextlib.contextmanager
def migration_connection() -> Iterator[Connection]:
    """A connection in a transaction for Alembic. On SQLite the foreign keys are off while it
    migrates: a batch ALTER rebuilds a table (copy, drop, rename), and dropping a table that
    other rows refer to fails with them on (the app turns them on for every connection). Before
    the transaction commits, ``PRAGMA foreign_key_check`` must find no broken reference, and
    the connection gets its foreign keys back."""
    assert db.engine is not None
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite:
            # Only outside a transaction does SQLite take this pragma: on the driver's own
            # connection, before SQLAlchemy begins one (the app's SQLite connections run
            # without the driver's implicit transactions).
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise click.ClickException(
                            f"The migration left {len(broken)} broken reference(s), first: "
                            f"{tuple(broken[0])}; nothing was changed."
                        )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def run_migrations(revision: str = "head") -> None:
    cfg = alembic_config()
    with migration_connection() as connection:
        cfg.attributes["connection"] = connection
        # Migrations that derive statistics rows need the pseudonym secret (see 0015).
        cfg.attributes["stats_pseudonym_key"] = current_app.config["STATS_PSEUDONYM_KEY"]
        command.upgrade(cfg, revision)


@click.group("db", help="Database schema (Alembic migrations).")
def db_cli() -> None:
    pass


@db_cli.command("upgrade", help="Apply migrations up to REVISION (default: head).")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    run_migrations(revision)
    click.echo(f"Database is up to date ({revision}).")


@db_cli.command("downgrade", help="Revert migrations down to REVISION (e.g. base).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    cfg = alembic_config()
    with migration_connection() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)
    click.echo(f"Database downgraded to {revision}.")


@db_cli.command("current", help="Show the current revision.")
def db_current() -> None:
    assert db.engine is not None
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.current(cfg)


@click.group("seed", help="Demo data.")
def seed_cli() -> None:
    pass


@seed_cli.command("demo", help="Build the deterministic Dronten demo municipality.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--seed", "random_seed", default=2016, show_default=True, help="Random seed.")
def seed_demo(if_empty: bool, random_seed: int) -> None:
    from seed.demo import build_demo

    session = db.session
    if session.scalar(select(func.count()).select_from(User)):
        if if_empty:
            click.echo("Demo data: the database already has data, nothing loaded.")
            return
        raise click.ClickException("The database is not empty; seed demo needs an empty database.")
    from seed.second_factor import enrol_demo_accounts

    started = time.perf_counter()
    summary = build_demo(session, password=DEMO_PASSWORD, seed=random_seed, today=clock.today())
    enrol_demo_accounts(session)
    session.commit()
    click.echo(f"Demo data loaded in {time.perf_counter() - started:.1f} s: {summary}")


@click.group("users", cls=AppGroup, help="Accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create", help="Create an account (for a real installation).")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--provider-agb", default=None, help="AGB code; required for role aanbieder.")
@click.password_option(help="Prompted when not given.")
def users_create(email: str, name: str, role: str, provider_agb: str | None, password: str) -> None:
    session = db.session
    try:
        user = create_user(
            session,
            email=email,
            name=name,
            role=Role(role),
            password=password,
            provider_agb=provider_agb,
        )
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    session.commit()
    click.echo(f"Account {user.email} ({user.role.value}) created.")


@users_cli.command(
    "invite",
    help="Make a one-time link by which the user sets their own password (older links stop "
    "working) and print it, e.g. to hand over when no mail server is configured.",
)
@click.argument("email")
def users_invite(email: str) -> None:
    session = db.session
    user = find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No account {email!r}.")
    try:
        issued = invite(session, None, user, datetime.now(UTC))
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    audit.record(session, "uitgenodigd", "account", user.id, details="command line")
    session.commit()
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    with current_app.test_request_context():
        path = url_for("auth.invitation", token=issued.token)
    until = f"{issued.invitation.expires_at:%Y-%m-%d %H:%M} UTC"
    click.echo(f"Invitation for {user.email}, valid until {until}:")
    click.echo(f"  {base}{path}")


@users_cli.command("demo-logins", help="Print the demo accounts.")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="Where to log in.")
def users_demo_logins(url: str) -> None:
    session = db.session
    users = session.scalars(
        select(User).where(User.email.like("%@demo.trajectwijzer.nl")).order_by(User.id)
    ).all()
    if not users:
        click.echo("No demo accounts in this database.")
        return
    from seed.second_factor import DEMO_TOTP_SECRET

    click.echo("")
    click.echo(f"Trajectwijzer demo — log in at {url} with:")
    for user in users:
        extra = f" ({user.provider.name})" if user.provider else ""
        if user.totp_secret == DEMO_TOTP_SECRET and user.has_second_factor:
            extra += " + code"
        elif requires_second_factor(user):
            extra += " + QR code at the first login"
        click.echo(f"  {user.role.value:<10} {user.email:<40} {DEMO_PASSWORD}{extra}")
    click.echo("")
    click.echo(
        "Second factor (gids, aanbieder, beheerder): add this key to an authenticator app,\n"
        f"  {DEMO_TOTP_SECRET}\n"
        "or print the current code with: flask --app wsgi users demo-code"
    )
    click.echo("")
    sys.stdout.flush()


@users_cli.command("demo-code", help="Print the demo accounts' current second-factor code.")
def users_demo_code() -> None:
    import pyotp

    from seed.second_factor import DEMO_TOTP_SECRET

    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    left = totp.interval - int(time.time()) % totp.interval
    click.echo(f"{totp.now()}  (valid for {left} more seconds; demo accounts only)")


@users_cli.command("block", help="Block an account: its sessions end at once.")
@click.argument("email")
def users_block(email: str) -> None:
    _set_active(email, active=False)


@users_cli.command("unblock", help="Lift a block and a temporary lockout.")
@click.argument("email")
def users_unblock(email: str) -> None:
    _set_active(email, active=True)


def _set_active(email: str, *, active: bool) -> None:
    """The same workflow as the beheerder's button (``set_blocked``: logged on the Wijzigingen
    page, never the last active beheerder), by the operator; unblocking also lifts a lockout."""
    from workflows.signin import lift_lockout
    from workflows.users import set_blocked

    session = db.session
    user = find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No account {email!r}.")
    try:
        set_blocked(session, user, not active, None)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(str(error)) from error
    if active:
        lift_lockout(session, user, datetime.now(UTC))
    audit.record(
        session,
        "geblokkeerd" if not active else "gedeblokkeerd",
        "account",
        user.id,
        details="command line",
    )
    session.commit()
    click.echo(f"Account {user.email} {'blocked' if not active else 'unblocked'}.")


@users_cli.command("reset-2fa", help="Forget an account's second factor (lost phone and codes).")
@click.argument("email")
def users_reset_second_factor(email: str) -> None:
    session = db.session
    user = find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No account {email!r}.")
    reset_second_factor(session, user)
    audit.record(session, "tweede_factor_gewist", "account", user.id, details="command line")
    session.commit()
    click.echo(f"The second factor of {user.email} is reset; it is set up again at the next login.")


@click.group("wijken", help="Districts and villages (wijken/kernen) of the municipality.")
def wijken_cli() -> None:
    pass


@wijken_cli.command("add")
@click.argument("name")
def wijken_add(name: str) -> None:
    session = db.session
    try:
        wijk = add_wijk(session, name)
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    session.commit()
    click.echo(f"Wijk {wijk.name!r} added.")


@click.group("scheduler", help="Daily jobs: evaluation, term, Jeugd-18 and decision prompts.")
def scheduler_cli() -> None:
    pass


def _log_to_stderr() -> None:
    """Show the scheduler's INFO lines (run reports; e-mails when no MAIL_SERVER is set)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@scheduler_cli.command("run", help="Run the scheduler in this process (blocks; daily at 06:00).")
@click.option("--run-now", is_flag=True, help="Also run the daily jobs once at start-up.")
@with_appcontext
def scheduler_run(run_now: bool) -> None:
    # Imported here, not at module level: the web app never loads APScheduler.
    from .scheduler import DAILY_JOB_ID, build_scheduler

    _log_to_stderr()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app, run_now=run_now)
    config = app.config
    click.echo(
        f"Scheduler started: job {DAILY_JOB_ID!r} daily at "
        f"{config['SCHEDULER_HOUR']:02d}:{config['SCHEDULER_MINUTE']:02d} "
        f"{config['TIMEZONE']}. Stop with Ctrl+C."
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@scheduler_cli.command("tick", help="Run every daily job once for DATE (default today), commit.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The run date, YYYY-MM-DD (default: today in the scheduler's time zone).",
)
@click.option("--no-mail", is_flag=True, help="Make the tasks but send no e-mail notifications.")
@with_appcontext
def scheduler_tick(day: datetime | None, no_mail: bool) -> None:
    from .scheduler import run_daily_tick

    _log_to_stderr()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_date: date | None = day.date() if day is not None else None
    started = time.perf_counter()
    report = run_daily_tick(app, run_date, send_mail=not no_mail)
    elapsed = time.perf_counter() - started
    click.echo(f"Scheduler tick for {report.day.isoformat()} ({elapsed:.2f} s):")
    for name, count in report.counts.items():
        click.echo(f"  {name:<24} {count:>8} new task(s)")
    click.echo(f"  {'total':<24} {report.inserted:>8} new task(s)")
    click.echo(f"  {'e-mails':<24} {report.mails:>8}" + (" (skipped)" if no_mail else ""))


@click.group("privacy", help="AVG: retention of residents' files.")
def privacy_cli() -> None:
    pass


@privacy_cli.command(
    "purge", help="Remove the files whose retention period has passed (see --dry-run)."
)
@click.option("--dry-run", is_flag=True, help="Only show what is due; change nothing.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Judge as of this day (default: today).",
)
@with_appcontext
def privacy_purge(dry_run: bool, day: datetime | None) -> None:
    from models import Domain
    from workflows.retention import RetentionPolicy, due_files, purge

    config = current_app.config
    policy = RetentionPolicy(
        years={
            Domain.JEUGD: config["RETENTION_YEARS_JEUGD"],
            Domain.WMO: config["RETENTION_YEARS_WMO"],
        },
        login_attempt_days=config["LOGIN_ATTEMPTS_RETENTION_DAYS"],
        timezone=config["TIMEZONE"],
    )
    on = day.date() if day is not None else clock.today()
    session = db.session
    files = due_files(session, on, policy)
    click.echo(
        f"Retention: Jeugd {policy.years[Domain.JEUGD]} years, Wmo {policy.years[Domain.WMO]} "
        f"years after closure; login attempts {policy.login_attempt_days} days. As of {on}:"
    )
    for item in files:
        domains = ", ".join(d.value for d in item.domains) or "no requests or trajectories"
        click.echo(
            f"  resident #{item.resident_id}: closed {item.closed_on} ({domains}), "
            f"due since {item.due_on}"
        )
    click.echo(f"{len(files)} resident file(s) due.")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    audit.set_context(session, audit.AuditContext(user_id=None, role="systeem", endpoint="purge"))
    report = purge(session, files, policy, datetime.now(UTC))
    session.commit()
    for table, count in report.rows.items():
        click.echo(f"  {table:<22} {count:>8} row(s) removed")
    click.echo(
        f"Removed {report.residents} resident file(s). The pseudonymised statistics are not "
        "touched."
    )


# --- statistics ----------------------------------------------------------------------------------


@click.group(
    cls=AppGroup,
    name="stats",
    help="Anonymised statistics from the pseudonymised feed (docs/statistics.md).",
)
def stats_cli() -> None:
    pass


@stats_cli.command(
    "rebuild", help="Derive the statistics feed again from the trajectories and requests."
)
def stats_rebuild() -> None:
    from workflows.stats.feed import rebuild

    started = time.perf_counter()
    report = rebuild(db.session)
    db.session.commit()
    click.echo(
        f"Statistics feed rebuilt in {time.perf_counter() - started:.1f} s: {report.rows} "
        f"trajectories derived, {report.detached} detached or frozen rows kept, "
        f"{report.episodes} client episodes, {report.requests} requests derived."
    )


def _figure_command(name: str, help_text: str, extra: list[click.Option]) -> click.Command:
    def run(**options: object) -> None:
        from workflows.errors import DomainError

        from .manager.downloads import describe, format_cell
        from .manager.presentation import tables_for
        from .statistics import published, query_from

        as_json = bool(options.pop("as_json"))
        exact = bool(options.pop("exact"))
        by_email = options.pop("by_email")
        params = {
            ("from" if key == "from_" else key): value
            for key, value in options.items()
            if value is not None
        }
        try:
            query = query_from(params)
        except DomainError as error:
            raise click.UsageError("; ".join(p.render() for p in error.problems)) from None
        if exact:
            # Exact figures leave the server only for checks and deliveries that need them;
            # the operator says who they are, and the audit log names them and the query.
            operator(str(by_email) if by_email else None, f"stats {name} --exact")
            report = published(name, query, exact=True)
            audit.record_export(db.session, "statistiek", f"stats {name} --exact", filters=params)
            db.session.commit()
        else:
            report = published(name, query)
        if as_json:
            click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
            return
        k = int(report.header["suppression_threshold"])
        for label, value in describe(report.header):
            click.echo(f"{label}: {value}")
        for table in tables_for(name, report):
            click.echo("")
            click.echo(table.title)
            rows = [table.columns] + [[format_cell(c, k) for c in row] for row in table.rows]
            widths = [max(len(str(r[i])) for r in rows) for i in range(len(table.columns))]
            for row in rows:
                click.echo("  ".join(str(v).rjust(w) for v, w in zip(row, widths, strict=True)))

    params: list[click.Parameter] = [
        click.Option(["--from", "from_"], help="First month, YYYY-MM."),
        click.Option(["--to"], help="Last month, YYYY-MM (default: the last complete month)."),
        click.Option(["--domain"], help="wmo or jeugd (default: both)."),
        *extra,
        click.Option(["--category"], help="Product category code."),
        click.Option(["--profile"], help="Support profile code."),
        click.Option(["--intensity"], help="laag, middel or zwaar."),
        click.Option(["--provider"], help="AGB code of the provider."),
        click.Option(["--wijk"], help="Wijk/kern name."),
        click.Option(["--age-band", "age_band"], help="Age band, e.g. 12-17."),
        click.Option(["--json", "as_json"], is_flag=True, help="The JSON of the API."),
        click.Option(
            ["--exact"],
            is_flag=True,
            help="Exact figures, not perturbed (operators only; needs --by, audited). "
            "Not for publication.",
        ),
        click.Option(
            ["--by", "by_email"],
            help="With --exact: e-mail of the person asking (an active account).",
        ),
    ]
    return click.Command(name, callback=with_appcontext(run), params=params, help=help_text)


UNIT_OPTION = click.Option(["--unit"], help="traject (default) or client.")
for _name, _help, _extra in (
    ("flows", "Monthly beginstand, instroom, uitstroom, eindstand; yearly means.", [UNIT_OPTION]),
    (
        "intensity",
        "Trajectories per intensity per month.",
        [click.Option(["--basis"], help="eindstand (default) or instroom.")],
    ),
    ("durations", "Care durations; Kaplan-Meier median per start year.", [UNIT_OPTION]),
    ("waiting-times", "Waiting times by month of start.", []),
    ("results", "Result rate, closure categories, extensions, repeat use, cost, rates.", []),
    ("finance", "Committed spend, claims, deviations from the tariff, expected claims.", []),
):
    stats_cli.add_command(_figure_command(_name, _help, _extra))


@click.group(cls=AppGroup, name="import", help="Bring history in from a previous system.")
def import_cli() -> None:
    pass


BY_HELP = (
    "E-mail of the person running this command (an active account; required). The audit log "
    "and the trajectories' events name them."
)


def operator(email: str | None, command: str) -> User:
    """Who runs an import or export. The command line has no login, so the operator says who
    they are (``--by``); the account must exist and be active. Everything the command writes in
    the audit log names them."""
    if not email or not email.strip():
        raise click.ClickException(
            "Geef met --by het e-mailadres van wie deze opdracht uitvoert (een actief account); "
            "het auditlog noemt die persoon. Er is niets gedaan."
        )
    user = find_by_email(db.session, email)
    if user is None or not user.active:
        raise click.ClickException(
            f"Er is geen actief account {email.strip()[:254]!r} (--by). Er is niets gedaan."
        )
    audit.set_context(
        db.session,
        audit.AuditContext(user_id=user.id, role=user.role.value, endpoint=f"cli {command}"),
    )
    return user


@import_cli.command("trajectories", help="Import FILE (CSV in the format of docs/statistics.md).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--create-missing", is_flag=True, help="Add unknown profiles and providers.")
@click.option("--gids", "gids_email", default=None, help="E-mail of the responsible gids.")
@click.option("--by", "by_email", default=None, help=BY_HELP)
def import_trajectories(
    path: str, create_missing: bool, gids_email: str | None, by_email: str | None
) -> None:
    from workflows.stats.history import apply_import, check_import, decode

    by = operator(by_email, "import trajectories")
    with open(path, "rb") as handle:
        text = decode(handle.read())
    if text is None:
        raise click.ClickException("Het bestand is geen UTF-8-tekst. Er is niets geïmporteerd.")
    gids = import_gids(gids_email)
    started = time.perf_counter()
    check = check_import(db.session, text, clock.today(), create_missing=create_missing)
    if not check.ok:
        for problem in check.problems:
            where = f"regel {problem.line}" if problem.line else "bestand"
            column = f", kolom {problem.column}" if problem.column else ""
            click.echo(f"{where}{column}: {problem.render()}", err=True)
        raise click.ClickException(
            f"{len(check.problems)} fout(en) gevonden. Er is niets geïmporteerd."
        )
    try:
        result = apply_import(db.session, check, gids, clock.today(), by=by)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        f"Geïmporteerd in {time.perf_counter() - started:.1f} s: {result.created} nieuwe, "
        f"{result.updated} bijgewerkte en {result.unchanged} ongewijzigde trajecten, "
        f"{result.new_residents} nieuwe inwoners, {result.new_profiles} nieuwe profielen en "
        f"{result.new_providers} nieuwe aanbieders (ter beoordeling door de beheerder)."
    )


def import_gids(email: str | None) -> User:
    """The gids who becomes responsible for imported trajectories and new households: the one
    named, else the first active gids."""
    query = select(User).where(User.role == Role.GIDS, User.active.is_(True))
    if email:
        query = query.where(func.lower(User.email) == email.strip().lower())
    gids = db.session.scalar(query.order_by(User.id).limit(1))
    if gids is None:
        raise click.ClickException(
            f"Geen actieve gids {email!r} gevonden." if email else "Er is nog geen actieve gids."
        )
    return gids


@click.group(cls=AppGroup, name="export", help="Write data out in the import format.")
def export_cli() -> None:
    pass


@export_cli.command(
    "trajectories",
    help="Export every trajectory to FILE (the import format), readable by its owner only.",
)
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--by", "by_email", default=None, help=BY_HELP)
def export_trajectories(path: str, by_email: str | None) -> None:
    """The file holds every client's BSN. It is written beside FILE as a new file of mode 0600
    and then moved onto FILE: whatever FILE was (and whoever could read it), it is now readable
    by the owner only, and nobody ever sees half of it. The audit entry is committed before the
    file takes its name."""
    from workflows.stats.history import export_csv

    by = operator(by_email, "export trajectories")
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".trajectwijzer-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
            os.fchmod(out.fileno(), 0o600)  # mkstemp's mode, whatever the umask
            count = export_csv(db.session, out, by=by)
        db.session.commit()
        os.replace(temporary, path)
    except BaseException:
        db.session.rollback()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    click.echo(f"{count} trajectories written to {path} (mode 0600).")


# --- the iWmo/iJw message exchange through folders ------------------------------------------


@click.group(
    cls=AppGroup,
    name="berichten",
    help="iWmo/iJw message exchange through folders: DIR/<AGB>/in and DIR/<AGB>/uit "
    "(docs/operations.md).",
)
def berichten_cli() -> None:
    pass


def _folder(path: str) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise click.ClickException(f"De map {path!r} bestaat niet. Er is niets gedaan.")
    return root


@berichten_cli.command(
    "verwerk",
    help="Receive every DIR/<AGB>/in/*.xml (one transaction per file), move it to in/verwerkt "
    "or in/geweigerd; retours go to the outbox (exporteer). Safe to run twice.",
)
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--by", "by_email", default=None, help=BY_HELP)
def berichten_verwerk(path: str, by_email: str | None) -> None:
    from .message_exchange import process_folder

    root = _folder(path)
    operator(by_email, "berichten verwerk")
    report = process_folder(db.session, root, clock.today(), click.echo)
    for name in report.skipped:
        click.echo(f"  overgeslagen: map {name[:40]!r} hoort bij geen actieve aanbieder (AGB-code)")
    click.echo(report.summary())


@berichten_cli.command(
    "exporteer",
    help="Write each provider's outbox to DIR/<AGB>/uit/<kind>_<identification>.xml and mark "
    "it sent (one transaction per provider). Safe to run twice.",
)
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--by", "by_email", default=None, help=BY_HELP)
def berichten_exporteer(path: str, by_email: str | None) -> None:
    from .message_exchange import export_provider, providers_with_outbox

    root = _folder(path)
    operator(by_email, "berichten exporteer")
    total = failed = 0
    for provider in providers_with_outbox(db.session):
        agb_code = provider.agb_code
        try:
            count = export_provider(db.session, provider, root)
        except OSError as error:  # this provider's messages stay in the outbox; go on
            failed += 1
            click.echo(f"  {agb_code}: NIET geëxporteerd ({error.strerror}: {error.filename})")
            continue
        total += count
        click.echo(f"  {agb_code}: {count} bericht(en) geschreven")
    click.echo(f"Berichten geëxporteerd: {total}.")
    if failed:
        raise click.ClickException(
            f"{failed} aanbieder(s) niet geëxporteerd; hun berichten blijven klaarstaan."
        )


# A provider's client system, simulated (app/simulator_cli.py).
berichten_cli.add_command(simuleer_aanbieder)
