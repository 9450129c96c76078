"""Every table of the registry, in one module so relationships never import in a cycle.

Reads go through Core queries (app/services/public_read.py); these classes are the schema and the unit of
writes. Enumerations are text columns with CHECK constraints; ages, counts and dates carry CHECKs too, so
a bad row cannot be written even by a script that bypasses the API.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from app.db import NAMING_CONVENTION
from app.enums import (
    ActionStatus,
    Audience,
    CapacityPeriod,
    CommitmentStatus,
    CovenantStatus,
    KeyOwnerKind,
    MeasureDirection,
    MeasureSource,
    MeasureUnit,
    OfferType,
    OrganisationType,
    PledgeStatus,
    ProblemReason,
    ProblemStatus,
    Rag,
    RegistryEvidence,
    Sector,
    SignatoryStatus,
    SizeBand,
    VoiceEntryStatus,
    VoiceResponseStatus,
    VoiceSource,
    enum_values,
)
from app.ids import utcnow

SQLModel.metadata.naming_convention = NAMING_CONVENTION

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Versioned(SQLModel):
    """Optimistic concurrency: every ORM UPDATE checks and bumps `version` (UPDATE ... WHERE version = n).

    A write that lost a race matches no row and SQLAlchemy raises StaleDataError, rendered as 412. The version
    is also what ETags and If-Match carry."""

    version: int = Field(default=1, description="Bumped by every change; part of the record's ETag.")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # declared_attr hands the method the class, which mypy takes for an instance.
        return {"version_id_col": table_of(cls).c.version}  # type: ignore[arg-type]


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Table, for Core statements. SQLModel does not declare `__table__` in its types, so this
    is the one place that reaches for it."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def one_of(column: str, enum: type, name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in enum_values(enum))
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_valid")


def timestamp(*, nullable: bool = False, **kwargs: Any) -> Any:
    if nullable:
        return Field(default=None, sa_type=DateTime(timezone=True), nullable=True, **kwargs)
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, **kwargs)


def text(*, nullable: bool = False, default: Any = ...) -> Any:
    if nullable:
        return Field(default=None, sa_type=Text, nullable=True)
    return Field(default=default, sa_type=Text, nullable=False)


class Authority(SQLModel, table=True):
    """A council or national body that runs covenants."""

    __tablename__ = "authority"
    __table_args__ = (CheckConstraint("length(gss_code) = 9", name="gss_code_length"),)

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    gss_code: str = Field(unique=True, description="ONS GSS code, e.g. E10000017; E92000001 for England.")
    region: str
    website: str | None = None
    officer_email: str | None = Field(
        default=None, description="Private: where the registry emails the authority's officers (new submissions)."
    )
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Covenant(Versioned, table=True):
    """One scheme run by an authority for one audience."""

    __tablename__ = "covenant"
    __table_args__ = (
        UniqueConstraint("authority_id", "audience"),
        one_of("audience", Audience),
        one_of("status", CovenantStatus),
        CheckConstraint("min_age >= 0 AND min_age <= max_age AND max_age <= 30", name="age_range"),
        CheckConstraint("review_cycle_months BETWEEN 1 AND 60", name="review_cycle"),
        Index(None, "status", "id"),
    )

    id: str = Field(primary_key=True)
    authority_id: str = Field(foreign_key="authority.id", index=True)
    slug: str = Field(unique=True)
    title: str
    audience: str = Field(default=Audience.CARE_LEAVERS)
    min_age: int = 16
    max_age: int = 25
    description: str = text(default="")
    status: str = Field(default=CovenantStatus.DRAFT)
    launched_on: date | None = None
    review_cycle_months: int = 12
    # Whether the public may read the council's strategy for this covenant (GET /v1/covenants/{c}/strategy).
    publish_strategy: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Priority(Versioned, table=True):
    """An outcome area of a covenant; commitments are filed under one."""

    __tablename__ = "priority"
    __table_args__ = (
        UniqueConstraint("covenant_id", "code"),
        # Lets commitment reference (priority, covenant) so a priority of another covenant is impossible.
        UniqueConstraint("id", "covenant_id"),
        Index(None, "covenant_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: str = Field(primary_key=True)
    covenant_id: str = Field(foreign_key="covenant.id", ondelete="CASCADE")
    code: str
    title: str
    description: str = text(default="")
    position: int = 0
    # Who leads the priority in the council's strategy: a role, and a person's name the public sees only when
    # the covenant publishes its strategy.
    lead_role: str | None = text(nullable=True)
    lead_name: str | None = text(nullable=True)
    created_at: datetime = timestamp()


class Signatory(Versioned, table=True):
    """An organisation that signs covenants. The contact_* fields are private."""

    __tablename__ = "signatory"
    __table_args__ = (
        one_of("sector", Sector),
        one_of("organisation_type", OrganisationType),
        one_of("size_band", SizeBand),
        one_of("status", SignatoryStatus),
        Index(None, "status", "name", "id"),
        Index(None, "sector", "id"),
        Index(None, "size_band", "id"),
        Index(None, "organisation_type", "id"),
    )

    id: str = Field(primary_key=True)
    name: str
    description: str = text(default="")
    sector: str
    organisation_type: str
    size_band: str
    companies_house_number: str | None = Field(default=None, unique=True)
    charity_number: str | None = Field(default=None, unique=True)
    website: str | None = None
    public_contact: str | None = Field(default=None, description="How the public or a young person gets in touch.")
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    status: str = Field(default=SignatoryStatus.PENDING)
    verified_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class SignatoryArea(SQLModel, table=True):
    """An area an organisation serves: a GSS code or `national`."""

    __tablename__ = "signatory_area"
    __table_args__ = (Index(None, "area_code", "signatory_id"),)

    signatory_id: str = Field(foreign_key="signatory.id", primary_key=True, ondelete="CASCADE")
    area_code: str = Field(primary_key=True)


class Pledge(Versioned, table=True):
    """A signatory's signed statement in one covenant, holding its commitments."""

    __tablename__ = "pledge"
    __table_args__ = (
        one_of("status", PledgeStatus),
        # Lets commitment reference (pledge, covenant, signatory) so its copies of both always agree.
        UniqueConstraint("id", "covenant_id", "signatory_id"),
        Index(None, "covenant_id", "status", "id"),
        Index(None, "signatory_id", "id"),
        Index(None, "status", "id"),
        Index(None, "status", "review_due"),
        # One live pledge per organisation and covenant; a withdrawn one may be followed by a new one.
        Index(
            "uq_pledge_live_per_covenant",
            "signatory_id",
            "covenant_id",
            unique=True,
            sqlite_where=sql_text("status <> 'withdrawn'"),
            postgresql_where=sql_text("status <> 'withdrawn'"),
        ),
    )

    id: str = Field(primary_key=True)
    signatory_id: str = Field(foreign_key="signatory.id")
    covenant_id: str = Field(foreign_key="covenant.id")
    statement: str = text(default="")
    status: str = Field(default=PledgeStatus.DRAFT)
    signed_on: date | None = None
    submitted_at: datetime | None = timestamp(nullable=True)
    published_at: datetime | None = timestamp(nullable=True)
    review_due: date | None = None
    review_comment: str | None = text(nullable=True)
    withdrawn_reason: str | None = text(nullable=True)
    withdrawn_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Commitment(Versioned, table=True):
    """One concrete offer inside a pledge.

    covenant_id and signatory_id repeat the pledge's so public filters need no extra join; composite foreign
    keys keep them equal to the pledge's and keep the priority inside the same covenant.
    """

    __tablename__ = "commitment"
    __table_args__ = (
        ForeignKeyConstraint(
            ["pledge_id", "covenant_id", "signatory_id"],
            ["pledge.id", "pledge.covenant_id", "pledge.signatory_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["priority_id", "covenant_id"], ["priority.id", "priority.covenant_id"]),
        one_of("offer_type", OfferType),
        one_of("capacity_period", CapacityPeriod),
        one_of("status", CommitmentStatus),
        CheckConstraint("min_age >= 0 AND min_age <= max_age AND max_age <= 30", name="age_range"),
        CheckConstraint("audience_mask > 0", name="has_audience"),
        CheckConstraint("capacity_places IS NULL OR capacity_places > 0", name="capacity_positive"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR starts_on <= ends_on", name="date_order"),
        Index(None, "covenant_id", "id"),
        Index(None, "priority_id", "id"),
        Index(None, "pledge_id", "id"),
        Index(None, "signatory_id", "id"),
    )

    id: str = Field(primary_key=True)
    pledge_id: str
    covenant_id: str
    signatory_id: str
    priority_id: str
    offer_type: str
    title: str
    description: str = text(default="")
    min_age: int
    max_age: int
    audience_mask: int = Field(description="Bit mask of Audience members (enums.flags_to_mask).")
    care_status_mask: int = Field(default=0, description="Bit mask of CareStatus; 0 means any status.")
    capacity_places: int | None = None
    capacity_period: str = Field(default=CapacityPeriod.ONGOING)
    access_text: str = text(default="")
    access_url: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    apply_by: date | None = None
    status: str = Field(default=CommitmentStatus.ACTIVE)
    withdrawn_reason: str | None = text(nullable=True)
    withdrawn_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CommitmentArea(SQLModel, table=True):
    """An area a commitment is open to: a GSS code, `national` or `remote`."""

    __tablename__ = "commitment_area"
    __table_args__ = (Index(None, "area_code", "commitment_id"),)

    commitment_id: str = Field(foreign_key="commitment.id", primary_key=True, ondelete="CASCADE")
    area_code: str = Field(primary_key=True)


class PublicCommitment(SQLModel, table=True):
    """The public read model: one row per commitment the public may see, with its document pre-rendered.

    Written only by app/services/projection.py, in the same transaction as the change that alters what the
    public sees (a pledge published or withdrawn, an organisation suspended, an offer edited...). The public
    list is then one single-table index walk, however many joins the normalised tables need.
    """

    __tablename__ = "public_commitment"
    __table_args__ = (
        Index(None, "covenant_id", "commitment_id"),
        Index(None, "priority_id", "commitment_id"),
        Index(None, "pledge_id", "commitment_id"),
        Index(None, "signatory_id", "commitment_id"),
        Index(None, "offer_type", "commitment_id"),
        Index(None, "sector", "commitment_id"),
        Index(None, "status", "commitment_id"),
        Index(None, "min_age", "max_age"),
        Index(None, "modified_at", "commitment_id"),
    )

    commitment_id: str = Field(foreign_key="commitment.id", primary_key=True, ondelete="CASCADE")
    covenant_id: str
    priority_id: str
    pledge_id: str
    signatory_id: str
    offer_type: str
    sector: str
    status: str
    min_age: int
    max_age: int
    audience_mask: int
    search_text: str = text(default="")
    document: str = text(default="{}")
    # When the public last saw this offer change: set when its document is first rendered or renders differently
    # (an offer published, edited, or its organisation renamed), kept when a refresh renders it the same. What a
    # directory syncing by `modified_after` needs, which no one table's updated_at says.
    modified_at: datetime = timestamp()


class PublicCommitmentArea(SQLModel, table=True):
    """Every area whose residents a public offer serves: its own areas and those the council hierarchy adds to
    them (a county-wide offer serves each of its districts; a district's offer shows on its county's page; an
    offer recorded under a former code serves the council that replaced it).

    Written with public_commitment by app/services/projection.py, so the `area` filter asks for one council's
    code (and national, remote) whatever its tier, and costs what an exact-code filter costs.
    """

    __tablename__ = "public_commitment_area"
    __table_args__ = (Index(None, "area_code", "commitment_id"),)

    commitment_id: str = Field(foreign_key="public_commitment.commitment_id", primary_key=True, ondelete="CASCADE")
    area_code: str = Field(primary_key=True)


class PublicOfferCount(SQLModel, table=True):
    """How many public offers a covenant has, by priority, offer type and status.

    Kept in step with public_commitment by app/services/projection.py, in the same transaction, so a covenant's
    statistics read a few dozen rows however many offers it has, and always agree with the public lists.
    """

    __tablename__ = "public_offer_count"

    covenant_id: str = Field(primary_key=True)
    priority_id: str = Field(primary_key=True)
    offer_type: str = Field(primary_key=True)
    status: str = Field(primary_key=True)
    offers: int


class ProgressReport(Versioned, table=True):
    """A delivery return for one commitment and one period."""

    __tablename__ = "progress_report"
    __table_args__ = (
        UniqueConstraint("commitment_id", "period_start"),
        CheckConstraint("period_start <= period_end", name="period_order"),
        CheckConstraint(
            "places_offered >= 0 AND referrals >= 0 AND applications >= 0 AND starts >= 0 AND sustained >= 0",
            name="counts_not_negative",
        ),
        CheckConstraint("sustained <= starts", name="sustained_within_starts"),
    )

    id: str = Field(primary_key=True)
    commitment_id: str = Field(foreign_key="commitment.id", ondelete="CASCADE", index=True)
    period_start: date
    period_end: date
    places_offered: int = 0
    referrals: int = 0
    applications: int = 0
    starts: int = 0
    sustained: int = 0
    narrative: str = text(default="")
    # The narrative is the organisation's words about young people, private until an officer approves a public
    # version (the words as written, or redacted): only that version reaches the public annual report.
    public_narrative: str | None = text(nullable=True)
    narrative_approved_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ApiKey(SQLModel, table=True):
    """A credential. Only a hash of the secret is stored; `lookup` finds the row without revealing it."""

    __tablename__ = "api_key"
    __table_args__ = (
        one_of("owner_kind", KeyOwnerKind),
        CheckConstraint(
            "(owner_kind = 'signatory' AND signatory_id IS NOT NULL AND authority_id IS NULL)"
            " OR (owner_kind = 'authority' AND authority_id IS NOT NULL AND signatory_id IS NULL)"
            " OR (owner_kind = 'operator' AND signatory_id IS NULL AND authority_id IS NULL)",
            name="owner_consistent",
        ),
    )

    id: str = Field(primary_key=True)
    lookup: str = Field(unique=True, description="The non-secret middle part of the key, used to find the row.")
    secret_hash: str
    name: str = ""
    owner_kind: str
    signatory_id: str | None = Field(default=None, foreign_key="signatory.id", index=True, ondelete="CASCADE")
    authority_id: str | None = Field(default=None, foreign_key="authority.id", index=True, ondelete="CASCADE")
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    created_at: datetime = timestamp()
    expires_at: datetime | None = timestamp(nullable=True)
    last_used_at: datetime | None = timestamp(nullable=True)
    revoked_at: datetime | None = timestamp(nullable=True)
    created_by_key_id: str | None = None


class AuditEvent(SQLModel, table=True):
    """Who did what to which record; written in the same transaction as the change itself."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index(None, "authority_id", "id"),
        Index(None, "record_type", "record_id", "id"),
        Index(None, "signatory_id", "id"),
    )

    id: str = Field(primary_key=True)
    occurred_at: datetime = timestamp()
    actor_kind: str
    actor_key_id: str | None = None
    action: str
    record_type: str
    record_id: str
    authority_id: str | None = Field(default=None, description="Whose officers may read this event.")
    signatory_id: str | None = None
    covenant_id: str | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONDocument, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONDocument, nullable=True))
    request_id: str | None = Field(default=None, sa_type=String(200))


class IdempotencyRecord(SQLModel, table=True):
    """A POST made with an Idempotency-Key, and its response, replayed to retries for 24 hours.

    Inserted in the same transaction as the change the POST makes, so a retry either finds the finished
    response or waits for the first attempt to commit or roll back; it never sees half of it."""

    __tablename__ = "idempotency_record"

    principal: str = Field(primary_key=True, description="The caller: an API key id, or ip:<address> without one.")
    key: str = Field(primary_key=True, sa_type=String(255))
    fingerprint: str = Field(description="SHA-256 of method, path and body; a different request is refused.")
    status_code: int
    response_headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONDocument, nullable=False))
    response_body: str = text(default="")
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp(index=True)


class RateLimitCounter(SQLModel, table=True):
    """Hits in the current fixed window of one rate-limited bucket (e.g. registrations from one address)."""

    __tablename__ = "rate_limit_counter"

    bucket: str = Field(primary_key=True, sa_type=String(255))
    window_started_at: datetime = timestamp()
    hits: int = 0


class DataVersion(SQLModel, table=True):
    """One number that grows with every committed change the public can see: public ETags carry it, so a worker
    can answer a revalidation with 304 without querying anything (app/services/data_version.py)."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(default=1, sa_type=BigInteger)


class DataVersionScope(SQLModel, table=True):
    """What the transaction that made a data version touched, as app/services/public_scopes.py names it, so each
    worker forgets only the remembered answers that version may have changed. Written by app/db.py's commit
    hook; the last thousand or so versions are kept."""

    __tablename__ = "data_version_scope"

    version: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    scopes: str = Field(sa_type=Text)


class PublicChange(SQLModel, table=True):
    """One public change, for the change feed (`GET /v1/changes`): an offer published, changed or withdrawn, an
    organisation verified or no longer public, a covenant opened or closed. Never anything private.

    Written in the transaction of the change it records (an outbox), with no `version`; the commit hook in
    app/db.py stamps the transaction's rows with the data version it makes current. Every writing transaction
    takes the data version's row lock to bump it, so versions are handed out in commit order: a reader that
    pages by (version, seq) sees a transaction's changes only after every earlier one's, whatever order the
    rows were inserted in, and a cursor never passes a change still to commit.
    """

    __tablename__ = "public_change"
    __table_args__ = (
        Index(None, "version", "seq"),
        Index(
            "ix_public_change_unstamped",
            "seq",
            postgresql_where=sql_text("version IS NULL"),
            sqlite_where=sql_text("version IS NULL"),
        ),
    )

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True, description="The change's id, for de-duplication (chg_…).")
    version: int | None = Field(default=None, sa_type=BigInteger)
    type: str = Field(description="offer.published, offer.changed, offer.status_changed, offer.withdrawn, …")
    record_type: str
    record_id: str
    # The covenant an offer or a covenant change belongs to (none for an organisation's): whose officers'
    # webhooks are told of it.
    covenant_id: str | None = None
    changes: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    occurred_at: datetime = timestamp()


class WebhookEndpoint(SQLModel, table=True):
    """Where the operator, or a council's officers for their covenants, want public changes pushed.

    The secret signs each delivery (Standard Webhooks: HMAC-SHA256 over id, timestamp and body); it is shown once
    when the endpoint is registered and kept here because every delivery needs it. `after_version`/`after_seq`
    is how far into the change feed the endpoint's deliveries have been queued.
    """

    __tablename__ = "webhook_endpoint"
    __table_args__ = (
        CheckConstraint("owner_kind IN ('operator', 'authority')", name="owner_kind_known"),
        CheckConstraint("status IN ('active', 'disabled')", name="status_known"),
        CheckConstraint("(owner_kind = 'authority') = (authority_id IS NOT NULL)", name="authority_owner"),
    )

    id: str = Field(primary_key=True)
    url: str
    description: str = ""
    event_types: list[str] = Field(sa_column=Column(JSONDocument, nullable=False))
    secret: str
    owner_kind: str
    authority_id: str | None = Field(default=None, foreign_key="authority.id", index=True)
    status: str = "active"
    disabled_reason: str | None = None
    after_version: int = Field(default=0, sa_type=BigInteger)
    after_seq: int = 0
    created_at: datetime = timestamp()


class WebhookDelivery(SQLModel, table=True):
    """One change to deliver to one endpoint: its attempts, and how the last one went."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "change_id"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "endpoint_id", "created_at"),
        CheckConstraint("status IN ('pending', 'delivered', 'abandoned')", name="status_known"),
    )

    id: str = Field(primary_key=True)
    endpoint_id: str = Field(foreign_key="webhook_endpoint.id", ondelete="CASCADE")
    change_id: str = Field(foreign_key="public_change.id")
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = timestamp()
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()


class Notification(SQLModel, table=True):
    """An email to one person, written in the same transaction as the change it tells of (an outbox) and sent
    by the worker. The recipient is a private contact: nothing here is ever public. `dedupe_key` makes a
    reminder that a daily job may try to write more than once exist only once."""

    __tablename__ = "notification"
    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        CheckConstraint("status IN ('pending', 'sent', 'recorded', 'abandoned')", name="status_known"),
        CheckConstraint("audience IN ('officers', 'organisation')", name="audience_known"),
    )

    id: str = Field(primary_key=True)
    kind: str = Field(description="pledge.submitted, pledge.approved, pledge.changes_requested, review.due, …")
    audience: str = Field(description="officers: an authority's officers; organisation: a signatory's contact.")
    recipient: str
    subject: str
    text_body: str = text(default="")
    html_body: str = text(default="")
    dedupe_key: str | None = Field(default=None, unique=True)
    authority_id: str | None = Field(default=None, index=True, description="Whose officers may see it.")
    signatory_id: str | None = Field(default=None, index=True, description="The organisation it was sent to.")
    record_id: str | None = None
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = timestamp()
    last_error: str | None = None
    sent_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()


class ReportLinkUse(SQLModel, table=True):
    """A signed report link that has been opened (app/services/report_links.py): each opens its report once."""

    __tablename__ = "report_link_use"

    link_id: str = Field(primary_key=True, sa_type=String(64))
    covenant_id: str
    used_at: datetime = timestamp()


class Strategy(Versioned, table=True):
    """A council's corporate parenting strategy for one covenant and one period, as approved (at cabinet)."""

    __tablename__ = "strategy"
    __table_args__ = (
        CheckConstraint("period_start < period_end", name="period_order"),
        # Lets actions and measures reference (strategy, covenant), so their priority is always of its covenant.
        UniqueConstraint("id", "covenant_id"),
        Index(None, "covenant_id", "period_start"),
    )

    id: str = Field(primary_key=True)
    covenant_id: str = Field(foreign_key="covenant.id", ondelete="CASCADE")
    title: str
    period_start: date
    period_end: date
    approved_on: date | None = None
    approved_by: str = text(default="")
    body: str = text(default="")
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class StrategyAction(Versioned, table=True):
    """One line of a strategy's action plan, under one of its covenant's priorities."""

    __tablename__ = "strategy_action"
    __table_args__ = (
        UniqueConstraint("strategy_id", "reference"),
        ForeignKeyConstraint(
            ["strategy_id", "covenant_id"], ["strategy.id", "strategy.covenant_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["priority_id", "covenant_id"], ["priority.id", "priority.covenant_id"]),
        one_of("status", ActionStatus),
        one_of("rag_override", Rag),
        CheckConstraint("status <> 'dropped' OR dropped_reason IS NOT NULL", name="dropped_has_reason"),
        CheckConstraint("(rag_override IS NULL) = (rag_reason IS NULL)", name="override_has_reason"),
        CheckConstraint("(status = 'done') = (completed_on IS NOT NULL)", name="completed_when_done"),
        Index(None, "priority_id", "id"),
    )

    id: str = Field(primary_key=True)
    strategy_id: str
    covenant_id: str
    priority_id: str
    reference: str
    description: str = text(default="")
    owner_role: str = text(default="")
    milestones: str = text(default="")
    due_on: date
    status: str = Field(default=ActionStatus.NOT_STARTED)
    dropped_reason: str | None = text(nullable=True)
    completed_on: date | None = None
    # An officer's own RAG, with why; none: the RAG is derived from the status and due date (app/services/rag.py).
    rag_override: str | None = None
    rag_reason: str | None = text(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ActionUpdate(SQLModel, table=True):
    """A dated note of progress on an action, as reported to the panel."""

    __tablename__ = "action_update"
    __table_args__ = (Index(None, "action_id", "noted_on"),)

    id: str = Field(primary_key=True)
    action_id: str = Field(foreign_key="strategy_action.id", ondelete="CASCADE")
    noted_on: date
    text: str = Field(sa_type=Text, nullable=False)
    created_at: datetime = timestamp()


class Measure(Versioned, table=True):
    """How a strategy tracks an outcome under one priority: its unit, which way is better, baseline and target;
    values entered by officers, or computed from the registry's records (`source = 'registry'`)."""

    __tablename__ = "measure"
    __table_args__ = (
        ForeignKeyConstraint(
            ["strategy_id", "covenant_id"], ["strategy.id", "strategy.covenant_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["priority_id", "covenant_id"], ["priority.id", "priority.covenant_id"]),
        one_of("unit", MeasureUnit),
        one_of("direction", MeasureDirection),
        one_of("source", MeasureSource),
        one_of("evidence", RegistryEvidence),
        CheckConstraint("(source = 'registry') = (evidence IS NOT NULL)", name="evidence_when_registry"),
        Index(None, "strategy_id", "id"),
    )

    id: str = Field(primary_key=True)
    strategy_id: str
    covenant_id: str
    priority_id: str
    name: str
    unit: str
    direction: str
    baseline: float | None = None
    baseline_period: str | None = None
    target: float | None = None
    source_note: str = text(default="")
    source: str = Field(default=MeasureSource.ENTERED)
    evidence: str | None = None
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class MeasureValue(SQLModel, table=True):
    """A measure's value for one period: a financial year (`2025/26`) or one of its quarters (`2025/26 Q1`)."""

    __tablename__ = "measure_value"

    measure_id: str = Field(foreign_key="measure.id", primary_key=True, ondelete="CASCADE")
    period: str = Field(primary_key=True)
    value: float
    note: str = text(default="")
    updated_at: datetime = timestamp()


class ProblemReport(SQLModel, table=True):
    """Someone (a young person, a personal adviser) telling the registry that a public offer did not answer, has
    gone, or was not as described. Anonymous: `contact`, if given, is how they would like a reply, and only the
    offer's organisation and the covenant's officers ever see it. covenant_id and signatory_id repeat the offer's,
    so the officers' and the organisation's queues need no join."""

    __tablename__ = "problem_report"
    __table_args__ = (
        one_of("reason", ProblemReason),
        one_of("status", ProblemStatus),
        CheckConstraint("reason <> 'other' OR length(details) > 0", name="other_has_details"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_unless_open"),
        Index(None, "covenant_id", "status", "id"),
        Index(None, "commitment_id", "status", "id"),
        Index(None, "signatory_id", "status", "id"),
    )

    id: str = Field(primary_key=True)
    commitment_id: str = Field(foreign_key="commitment.id", ondelete="CASCADE")
    covenant_id: str = Field(foreign_key="covenant.id")
    signatory_id: str = Field(foreign_key="signatory.id")
    reason: str
    details: str = text(default="")
    contact: str | None = Field(default=None, description="How the reporter asked to be answered: private.")
    status: str = Field(default=ProblemStatus.OPEN)
    received_at: datetime = timestamp()
    closed_at: datetime | None = timestamp(nullable=True)
    closed_by: str | None = Field(default=None, description="officers or organisation: who answered it.")
    note: str | None = text(nullable=True)


class RecognitionWithholding(SQLModel, table=True):
    """An officer's decision that an organisation's earned recognition is not shown (the public sees
    `withheld`, never the reason). Deleting the row reinstates it."""

    __tablename__ = "recognition_withholding"

    signatory_id: str = Field(foreign_key="signatory.id", primary_key=True, ondelete="CASCADE")
    authority_id: str | None = Field(default=None, foreign_key="authority.id", ondelete="CASCADE")
    reason: str = text()
    withheld_at: datetime = timestamp()


class VoiceEntry(Versioned, table=True):
    """ "You said": what young people raised with a covenant's council. The words as said are private; the public
    reads only the wording an officer approved (`public_words`), and nothing until then. No personal data is
    asked for: an intake through the public form keeps no name, address or contact."""

    __tablename__ = "voice_entry"
    __table_args__ = (
        Index(None, "covenant_id", "status", "raised_on"),
        CheckConstraint(f"source IN {enum_values(VoiceSource)}", name="source_known"),
        CheckConstraint(f"status IN {enum_values(VoiceEntryStatus)}", name="status_known"),
        CheckConstraint("(status = 'approved') = (public_words IS NOT NULL)", name="public_words_when_approved"),
    )

    id: str = Field(primary_key=True)
    covenant_id: str = Field(foreign_key="covenant.id", ondelete="CASCADE")
    priority_id: str | None = Field(default=None, foreign_key="priority.id", ondelete="SET NULL")
    commitment_id: str | None = Field(default=None, foreign_key="commitment.id", ondelete="SET NULL")
    source: str
    raised_on: date
    words: str = text(default="")
    public_words: str | None = text(nullable=True)
    status: str = Field(default=VoiceEntryStatus.SUBMITTED)
    through_intake: bool = Field(default=False, description="Sent through the public form rather than by an officer.")
    problem_report_id: str | None = Field(
        default=None,
        foreign_key="problem_report.id",
        ondelete="SET NULL",
        unique=True,
        description="The problem reported with an offer that this was made from, once it was answered.",
    )
    approved_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class VoiceResponse(SQLModel, table=True):
    """ "We did": what the council or a partner did about a "you said", with where it has got to. Each response
    is public once its "you said" is; the latest one's status is the entry's."""

    __tablename__ = "voice_response"
    __table_args__ = (
        Index(None, "entry_id", "created_at"),
        CheckConstraint(f"status IN {enum_values(VoiceResponseStatus)}", name="status_known"),
        CheckConstraint("status != 'not_possible' OR reason IS NOT NULL", name="reason_when_not_possible"),
    )

    id: str = Field(primary_key=True)
    entry_id: str = Field(foreign_key="voice_entry.id", ondelete="CASCADE")
    what_was_done: str = text(default="")
    status: str
    reason: str | None = text(nullable=True)
    done_on: date | None = None
    action_id: str | None = Field(default=None, foreign_key="strategy_action.id", ondelete="SET NULL")
    commitment_id: str | None = Field(default=None, foreign_key="commitment.id", ondelete="SET NULL")
    measure_id: str | None = Field(default=None, foreign_key="measure.id", ondelete="SET NULL")
    created_at: datetime = timestamp()
