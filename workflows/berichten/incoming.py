"""Receiving a message: the one entry point for every transport (a folder, HTTP, the simulator,
the tests) is ``receive``.

The checks run in the standard's order, and each refuses in its own way:

1. **Size** over ``xml.MAX_MESSAGE_BYTES``, **unsafe or unreadable XML** (a DOCTYPE, entities,
   not XML), a **header that does not say what the message is** (namespace and BerichtCode of a
   known kind) or a kind that goes the other way: ``xml.Unreadable`` is raised, nothing is
   stored, and the transport reports the Dutch message.
2. **The same identification again** (per provider and kind): the first message is returned as
   it is, with its retour; nothing changes (a replay, a retry after a lost answer, two at once).
3. **XSD** (when the configured folder has the schema): a message that fails it is stored as
   ``geweigerd`` with the schema's errors, without a functional retour.
4. **Header**: the provider's AGB code must be the provider the transport authenticated (its
   token, its folder), the municipality code ours, the Dagtekening not in the future (8848),
   and the kind one this installation handles. Any failure: stored ``geweigerd``, and the
   retour carries only the header with 0001 and the codes.
5. **The handler** of the kind (``HANDLERS``) applies the message through the workflows, in a
   savepoint: when it reports an error code on any part, everything it did is undone, the
   message is ``geweigerd`` and the retour carries the codes on their parts (0233 elsewhere);
   otherwise the message is ``verwerkt`` and every part carries 0200.
6. **The retour** is built by the kind's builder (``RETOUR_BUILDERS``; a retour itself, 302 or
   320, gets none) and queued in the provider's outbox.

All in the caller's transaction: ``receive`` flushes, the transport commits once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Message, MessageDirection, MessageState, Provider

from ..errors import N_, DomainError
from . import codes, outgoing, requests
from .care import handle_305, handle_307
from .claims import answer_323, handle_323
from .schemas import Schemas
from .settings import settings_of
from .store import PartError, close_incoming, incoming_by_identification, is_error
from .toewijzingen import handle_302
from .xml import Incoming, Unreadable, read

# handler(session, message, parsed, provider, today, schemas) -> the errors per part (empty:
# applied). Codes 0200/0233 may be given for parts too; they refuse nothing.
Handler = Callable[[Session, Message, Incoming, Provider, date, Schemas], list[PartError]]
# builder(session, incoming message, parsed, errors, schemas, today) -> the queued retour.
RetourBuilder = Callable[
    [Session, Message, Incoming, Sequence[PartError], Schemas, date], Message | None
]

# One line per kind: the module that handles it must not import this one.
HANDLERS: dict[str, Handler] = {
    "302": handle_302,
    "305": handle_305,  # start of care (workflows.berichten.care)
    "307": handle_307,  # end of care (workflows.berichten.care)
    "315": requests.handle_315,  # verzoek om toewijzing
    "317": requests.handle_317,  # verzoek om wijziging
    "320": requests.handle_320,  # retour of our 319
    "323": handle_323,  # claim (workflows.berichten.claims)
}
RETOUR_BUILDERS: dict[str, RetourBuilder] = {
    "305": outgoing.retour,
    "307": outgoing.retour,
    "315": outgoing.retour,
    "317": outgoing.retour,
    "323": answer_323,  # the 325 (declaratie-antwoord), workflows.berichten.claims
}

NOT_HANDLED = N_("Dit soort bericht (%(kind)s) wordt hier (nog) niet verwerkt.")


class _Refused(Exception):
    """Raised inside the handler's savepoint to undo what it did."""

    def __init__(self, errors: list[PartError]) -> None:
        super().__init__("refused")
        self.errors = errors


def receive(
    session: Session,
    provider: Provider,
    body: bytes,
    today: date,
    schemas: Schemas | None = None,
) -> Message:
    """Receive ``body`` from ``provider`` (whom the transport authenticated) on ``today``; the
    stored incoming message is returned (its retour: ``store.retour_of``). See the module's
    docstring for the order of the checks; ``xml.Unreadable`` when nothing could be stored."""
    settings = settings_of(session)
    schemas = schemas or settings.schemas
    parsed = read(body)
    if parsed.kind not in codes.INCOMING_KINDS:
        raise Unreadable(
            N_("Een %(kind)s-bericht stuurt de gemeente; het kan hier niet binnenkomen."),
            kind=parsed.kind,
        )
    earlier = incoming_by_identification(session, provider.id, parsed.kind, parsed.identification)
    if earlier is not None:
        return earlier
    message = Message(
        direction=MessageDirection.IN,
        kind=parsed.kind,
        domain=parsed.domain,
        provider=provider,
        identification=parsed.identification,
        dated_on=parsed.dated_on,
        state=MessageState.VERWERKT,  # until it is judged below
        body=body,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # The same message at the same moment: the other one stored it first.
        earlier = incoming_by_identification(
            session, provider.id, parsed.kind, parsed.identification
        )
        if earlier is None:
            raise
        return earlier

    schema_errors = schemas.errors(parsed.domain, parsed.kind, parsed.root)
    if schema_errors:
        close_incoming(
            message, [PartError(codes.TECHNICAL, "Header", text) for text in schema_errors]
        )
        session.flush()
        return message

    errors = header_errors(parsed, provider, today, settings.municipality_code)
    if not errors:
        errors = _apply(session, message, parsed, provider, today, schemas)
    close_incoming(message, errors)
    builder = RETOUR_BUILDERS.get(parsed.kind)
    if builder is not None:
        builder(session, message, parsed, errors, schemas, today)
    session.flush()
    return message


def header_errors(
    parsed: Incoming, provider: Provider, today: date, municipality_code: str
) -> list[PartError]:
    """What refuses the message as a whole (its header), in the standard's codes."""
    errors: list[PartError] = []
    if parsed.provider_code != provider.agb_code:
        errors.append(
            PartError(
                codes.TECHNICAL,
                "Header",
                f"De AGB-code {parsed.provider_code} in het bericht is niet die van de "
                f"aanbieder die het aanleverde ({provider.agb_code}).",
            )
        )
    if parsed.municipality_code != municipality_code:
        errors.append(
            PartError(
                codes.TECHNICAL,
                "Header",
                f"De gemeentecode {parsed.municipality_code} in het bericht is niet die van "
                f"deze gemeente ({municipality_code}).",
            )
        )
    if parsed.dated_on > today:
        errors.append(PartError(codes.FUTURE_DATE, "Header"))
    if parsed.kind not in HANDLERS:
        errors.append(PartError(codes.TECHNICAL, "Header", NOT_HANDLED % {"kind": parsed.kind}))
    return errors


def _apply(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    """Run the kind's handler in a savepoint; undo it all when it reports an error."""
    handler = HANDLERS[parsed.kind]
    try:
        with session.begin_nested():
            errors = handler(session, message, parsed, provider, today, schemas)
            if any(is_error(e) for e in errors):
                raise _Refused(errors)
    except _Refused as refused:
        return refused.errors
    except DomainError as error:
        # A workflow refused what the handler did not check itself: the message as a whole.
        return [PartError(codes.TECHNICAL, "Header", str(error))]
    return errors


def register(kind: str, handler: Handler, builder: RetourBuilder | None = None) -> None:
    """Set the handler (and retour builder) of ``kind``; for tests and simulators. Product
    code lists its handlers in ``HANDLERS`` itself."""
    HANDLERS[kind] = handler
    if builder is not None:
        RETOUR_BUILDERS[kind] = builder
