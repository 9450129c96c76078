"""Which writes the public can see, and so which move the data version (app/services/data_version.py).

A public answer may be remembered, and revalidated with a 304, until the data version moves. A write the public
cannot see need not move it; a write it can see must, or a client is told its stale copy is current. So every
rule here errs towards "public": a table nobody listed, a row whose state before the change is unknown, a Core
statement whose rows cannot be told apart, all count as public.

What the public reads, from the read paths (no key; app/services/public_read.py, commitment_document.py,
statistics.py, annual_report.py, recognition.py, oruk.py, changes.py, voice.py, strategies.py, embed.py,
open_data.py, problem_reports.py's form):

- authorities but their officers' email; covenants, priorities, strategies with their actions and measures (a
  strategy only when published, but counted public always: it is rarely written);
- verified organisations' public columns, and every organisation's name beside its offers in annual reports;
- pledges that are or have been published (the annual report and the strategy's registry measures read
  withdrawn and lapsed ones, and a lapsed pledge sent for review again still has its published date);
- commitments of those pledges directly (annual reports, statistics, recognition, measures), and any commitment
  a "you said" entry or response links (its title and status on the public page, whatever its pledge's state);
- offers' documents and areas only through the read model (public_commitment and its area index and counts),
  which app/services/projection.py rewrites in the change's transaction and reports as public when what it
  holds changes (app/db.py `note_public_write`); so commitment_area, read publicly only through it, is left to it;
- progress reports' figures and approved public narratives (the words as written are private, except in the
  exact report, which is never remembered);
- approved "you said" entries and their responses; recognition withheld; the change feed (public_change).

Never read by a public route: keys, audit events, Idempotency-Key records, rate-limit counters, notifications,
webhook endpoints and deliveries, report link uses, problem reports (the public form reads the read model).
"""

from typing import Any

from sqlalchemy import bindparam, exists, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.enums import PledgeStatus, SignatoryStatus, VoiceEntryStatus
from app.models import Pledge, Signatory, VoiceEntry, VoiceResponse, table_of
from app.services import public_scopes

PRIVATE_TABLES = frozenset(
    {
        "api_key",
        "audit_event",
        "idempotency_record",
        "rate_limit_counter",
        "notification",
        "webhook_endpoint",
        "webhook_delivery",
        "report_link_use",
        "problem_report",
        "data_version",
        "data_version_scope",
    }
)
# Public only through the read model, whose writer says itself whether what the public sees changed.
THROUGH_READ_MODEL = frozenset({"commitment_area", "public_commitment", "public_commitment_area", "public_offer_count"})

# A pledge never published is seen by no one but its organisation and the covenant's officers.
UNPUBLISHED_STATES = frozenset({PledgeStatus.DRAFT, PledgeStatus.SUBMITTED, PledgeStatus.CHANGES_REQUESTED})
# Columns of a row that no public read shows: a change to these alone is private.
PRIVATE_COLUMNS = {
    "authority": frozenset({"officer_email", "updated_at"}),
    "signatory": frozenset({"contact_name", "contact_email", "contact_phone", "updated_at", "version"}),
    "progress_report": frozenset({"narrative", "updated_at", "version"}),
}

# What is not known (an attribute the session never loaded) is taken for public.
UNKNOWN = object()

pledge = table_of(Pledge)
signatory = table_of(Signatory)
voice_entry = table_of(VoiceEntry)
voice_response = table_of(VoiceResponse)
PLEDGE_STATE = select(pledge.c.status, pledge.c.published_at).where(pledge.c.id == bindparam("id"))
SIGNATORY_STATUS = select(signatory.c.status).where(signatory.c.id == bindparam("id"))
ENTRY_STATUS = select(voice_entry.c.status).where(voice_entry.c.id == bindparam("id"))
LINKED_FROM_VOICE = select(
    or_(
        exists().where(voice_entry.c.commitment_id == bindparam("id")),
        exists().where(voice_response.c.commitment_id == bindparam("id")),
    )
)


def table_is_public(table: str) -> bool:
    return table not in PRIVATE_TABLES and table not in THROUGH_READ_MODEL


def row_is_public(session: Session, row: Any, kind: str) -> bool:
    table = table_of(type(row)).name
    if not table_is_public(table):
        return False
    rule = ROW_RULES.get(table)
    return True if rule is None else rule(session, row, kind)


# ---------------------------------------------------------------- what a row was and is


def changed_columns(row: Any) -> set[str]:
    return {attr.key for attr in inspect(row).attrs if attr.history.has_changes()}


def values(row: Any, key: str, kind: str) -> list[Any]:
    """The value of `key` before the change (for an update or a delete) and after it (insert or update)."""
    found = []
    if kind != "insert":
        history = inspect(row).attrs[key].history
        before = (history.deleted or history.unchanged or [UNKNOWN])[0]
        found.append(before)
    if kind != "delete":
        found.append(getattr(row, key))
    return found


def only_private_columns(row: Any, kind: str) -> bool:
    private = PRIVATE_COLUMNS[table_of(type(row)).name]
    return kind == "update" and changed_columns(row) <= private


def first_row(session: Session, statement: Any, record_id: Any) -> Any:
    return session.connection().execute(statement, {"id": record_id}).first()


# ---------------------------------------------------------------- rules for tables with private rows


def unpublished(status: Any, published_at: Any) -> bool:
    return status in UNPUBLISHED_STATES and published_at is None


def pledge_row(_session: Session, row: Any, kind: str) -> bool:
    states = zip(values(row, "status", kind), values(row, "published_at", kind), strict=True)
    return not all(unpublished(status, published_at) for status, published_at in states)


def pledge_state(session: Session, pledge_id: str) -> Any:
    """The pledge's status and published time as this transaction has left it: from the session's own copy when
    it holds one with both loaded (a pledge sent with ten offers is judged once, not once per offer), else read."""
    held = session.identity_map.get(identity_key(Pledge, pledge_id))
    if held is not None and not {"status", "published_at"} & inspect(held).unloaded:
        return held
    return first_row(session, PLEDGE_STATE, pledge_id)


def commitment_row(session: Session, row: Any, kind: str) -> bool:
    """An offer of a pledge never published is private, unless a "you said" names it. The pledge is read as
    this transaction has left it: had its own change made it public, that change counts already. A new offer
    has no "you said" naming it yet (one added with it in the same flush is judged on its own)."""
    state = pledge_state(session, row.pledge_id)
    if state is None or not unpublished(state.status, state.published_at):
        return True
    return kind != "insert" and bool(first_row(session, LINKED_FROM_VOICE, row.id)[0])


def signatory_row(_session: Session, row: Any, kind: str) -> bool:
    if kind == "insert":
        # Registered, not yet verified: nothing of it is public, and it has no pledge yet.
        return bool(row.status != SignatoryStatus.PENDING)
    return not only_private_columns(row, kind)


def signatory_area_row(session: Session, row: Any, _kind: str) -> bool:
    state = first_row(session, SIGNATORY_STATUS, row.signatory_id)
    return state is None or state.status != SignatoryStatus.PENDING


def columns_row(_session: Session, row: Any, kind: str) -> bool:
    return not only_private_columns(row, kind)


def voice_entry_row(_session: Session, row: Any, kind: str) -> bool:
    """Public while approved: approving one, changing an approved one or taking it back all show."""
    statuses = values(row, "status", kind)
    return UNKNOWN in statuses or VoiceEntryStatus.APPROVED in statuses


def voice_response_row(session: Session, row: Any, _kind: str) -> bool:
    state = first_row(session, ENTRY_STATUS, row.entry_id)
    return state is None or state.status == VoiceEntryStatus.APPROVED


ROW_RULES = {
    "authority": columns_row,
    "pledge": pledge_row,
    "commitment": commitment_row,
    "signatory": signatory_row,
    "signatory_area": signatory_area_row,
    "progress_report": columns_row,
    "voice_entry": voice_entry_row,
    "voice_response": voice_response_row,
}


# ---------------------------------------------------------------- which answers a public write may change


# An organisation's row is read by the statistics of every covenant it pledged to, which the row cannot name:
# its changes (rare: a verification, a suspension, a public profile edited) touch everything.
PLACED_NOWHERE = frozenset({"signatory"})


def row_scopes(row: Any, kind: str) -> frozenset[str]:
    """Where a row the public sees is (app/services/public_scopes.py), as it was and as it is. A deletion
    touches everything: what the database removes with it (its cascades) is never seen here."""
    table = table_of(type(row))
    if not table_is_public(table.name):
        return frozenset()
    if kind == "delete" or table.name in PLACED_NOWHERE:
        return public_scopes.ALL
    columns = public_scopes.scope_columns(table.name, table.c.keys())
    return public_scopes.of_values(table.name, {name: values(row, name, kind) for name in columns})


def table_scopes(table: str) -> frozenset[str]:
    """A public table written outside the ORM's flush: its rows are not seen, so every answer may have changed,
    but for the change feed's outbox, which only the feed reads (and the feed depends on everything)."""
    return frozenset({public_scopes.FEED}) if table == "public_change" else public_scopes.ALL


class PublicWrites:
    """The rules, as app/db.py's sessions take them (`create_sessionmaker(engine, RULES)`)."""

    def row_is_public(self, session: Session, row: Any, kind: str) -> bool:
        return row_is_public(session, row, kind)

    def table_is_public(self, table: str) -> bool:
        return table_is_public(table)

    def row_scopes(self, row: Any, kind: str) -> frozenset[str]:
        return row_scopes(row, kind)

    def table_scopes(self, table: str) -> frozenset[str]:
        return table_scopes(table)


RULES = PublicWrites()
