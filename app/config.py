"""Settings read from the environment (or a `.env` file), one class for the whole service."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "covenant-registry.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="postgresql://user@host/db or sqlite:///path; the async driver is chosen automatically.",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200, description="Connections each worker keeps open.")
    # Overflow connections are closed on return, so a busy worker would reconnect over and over: none by default.
    db_max_overflow: int = Field(default=0, ge=0, le=200)
    db_echo: bool = Field(default=False, description="Log every SQL statement (debugging only).")
    db_lock_timeout_ms: int = Field(
        default=10_000,
        ge=100,
        le=600_000,
        description="How long a statement waits for rows another request is changing before it gives up.",
    )

    db_connect_timeout: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Seconds to wait for a database connection (new, or free in the pool) before answering 503.",
    )
    db_statement_timeout_ms: int = Field(
        default=30_000,
        ge=100,
        le=600_000,
        description="Longest a statement may run on PostgreSQL before it is cancelled and the request answers 503.",
    )

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, le=64)
    log_level: str = "info"
    log_format: Literal["text", "json"] = Field(
        default="text", description="text: a readable line per event; json: one JSON object per line."
    )

    public_cache_max_age: int = Field(default=60, ge=0, description="Seconds a public read may be cached.")
    max_request_body_bytes: int = Field(default=1_000_000, ge=1024)
    compress_at_bytes: int = Field(
        default=1024, ge=0, description="Answers this large or larger are gzipped for clients that accept it."
    )
    registration_limit: int = Field(default=10, ge=1, description="Registrations an address may make per hour.")
    voice_intake_limit: int = Field(
        default=20, ge=1, description='Messages an address may send through the public "you said" form per hour.'
    )
    problem_report_limit: int = Field(
        default=10, ge=1, description="Problem reports an address may send per hour (no key is needed to send one)."
    )
    problem_form_min_seconds: float = Field(
        default=3.0,
        ge=0,
        le=600,
        description="Seconds between fetching a problem form's token and sending the report: a person takes longer.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or CIDR networks of the proxies in front of the service, whose "
        "X-Forwarded-For / Forwarded is believed. Empty: nobody's, and the peer's address is the client's.",
    )
    public_response_cache_mb: int = Field(
        default=32, ge=0, le=1024, description="Memory per worker for public answers kept until the next public write."
    )
    cursor_secret: str = Field(
        default="covenant-registry-list-cursors",
        min_length=16,
        description="Signs list cursors, so a cursor the service did not issue is refused. Set the same long random "
        "value on every worker and host; changing it invalidates cursors already handed out.",
    )
    webhook_allow_private_networks: bool = Field(
        default=False,
        description="Let webhooks point at loopback, private and link-local addresses (and plain http there). "
        "Off in production: a webhook URL must not reach into the service's own network.",
    )
    in_process_worker: bool | None = Field(
        default=None,
        description="Send webhooks and emails from inside the web worker. Unset: on for SQLite (one process), off for "
        "PostgreSQL, where `covenant-registry worker` runs as a service of its own.",
    )
    smtp_host: str = Field(
        default="",
        description="The mail server notifications are sent through. Empty: each notification is recorded and "
        "logged, not sent.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The mail server's port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls: upgrade the connection (port 587); tls: TLS from the start (port 465); none: plain "
        "(a relay on the same host only).",
    )
    smtp_username: str = Field(default="", description="Sign in to the mail server as this user (empty: do not).")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="The mail server user's password.")
    mail_from: str = Field(
        default="Covenant registry <no-reply@covenant-registry.invalid>",
        description="The sender of notifications, as it appears in the From header.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The registry's public address, for the links in notifications.",
    )
    report_link_secret: str = Field(
        default="covenant-registry-report-links",
        min_length=16,
        description="Signs the short-lived links officers open reports with. Set the same long random value on "
        "every worker and host; changing it voids links already handed out.",
    )
    embed_frame_ancestors: str = Field(
        default="*",
        description="Which pages may frame the offers finder (/embed/v1/offers): CSP frame-ancestors sources, "
        "space-separated; * is any page.",
    )
    data_version_ttl: float = Field(
        default=1.0, ge=0, le=1.5, description="Seconds a worker trusts the data version it last read (at most 1.5)."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
