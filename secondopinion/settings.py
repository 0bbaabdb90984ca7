"""Configuration from the environment, read once per process (pydantic-settings)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from flows.content.program import STAND_INS, length_problems, placeholder_problems
from flows.content.render import Program, Sponsor
from flows.conversation.limits import ReplyBudget
from flows.inbox.hours import OfficeHours, parse_days
from flows.language import Language
from flows.phones import national
from store.db import Timeouts

# The US and its territories: Puerto Rico, the Virgin Islands, Guam, American Samoa,
# the Northern Mariana Islands.
DEFAULT_COUNTRIES = ("US", "PR", "VI", "GU", "AS", "MP")


class Settings(BaseSettings):
    """Every setting has a default that runs on a bare machine; production overrides them."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///secondopinion.db"
    # Connections each process keeps open: enough for the worker's 8 threads and its sweep
    # (past it, each transaction opens and closes its own, a new server process each time);
    # 0: no pool, a connection per transaction (behind pgbouncer).
    database_pool_size: int = 10
    # A database that is down or slow is given up on within seconds: webhooks answer 503
    # with Retry-After and Twilio tries again (see the README's Twilio setup).
    database_connect_timeout_seconds: int = 2
    database_statement_timeout_seconds: float = 3.0
    redis_url: str | None = None
    embedded_broker_url: str = "sqla+sqlite:///secondopinion-broker.db"

    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = "https://api.twilio.com"
    public_base_url: str = ""
    # Twilio's connection overrides, added as "#…" to the callback URLs the service gives
    # Twilio (delivery reports, calls), as the README sets them on the webhooks.
    twilio_connection_overrides: str = ""

    program_timezone: str = "America/New_York"
    # Who runs the program, in each language's own words. The defaults are the sandbox's
    # stand-ins: a real Twilio account refuses to start with them (no real contact).
    program_name: str = STAND_INS[Language.EN].name
    program_org: str = STAND_INS[Language.EN].org
    program_contact: str = STAND_INS[Language.EN].contact
    program_name_es: str = STAND_INS[Language.ES].name
    program_org_es: str = STAND_INS[Language.ES].org
    program_contact_es: str = STAND_INS[Language.ES].contact
    allowed_countries: Annotated[tuple[str, ...], NoDecode] = DEFAULT_COUNTRIES

    staff_phone_number: str = ""  # "talk to a person" on the phone menu dials this
    voice_en: str = "Polly.Joanna"
    voice_es: str = "Polly.Lupe"
    voice_es_language: str = "es-US"
    call_retry_minutes: int = 30
    call_attempts: int = 2  # calls for one reminder before it goes out as a text

    sandbox: bool = False  # the phone simulator at /simulator, for fictional numbers only
    secret_key: str = ""  # signs staff sessions at /admin; unset, /admin is closed

    # Nothing lost: texts and delivery reports missed while the service was down are
    # fetched from Twilio's log; nothing kept: finished conversations are forgotten.
    catch_up_interval_seconds: float = 60.0
    delivery_report_wait_seconds: int = 600  # a report later than this is looked up
    retention_days: int = 90
    retention_at_twilio: bool = False  # the retention job also deletes Twilio's copies

    sweep_interval_seconds: float = 15.0
    send_rate_per_second: float = 10.0
    sms_validity_seconds: int = 3600
    twilio_timeout_seconds: float = 10.0
    max_send_attempts: int = 5
    stale_after_seconds: int = 120

    # Limits on what the open internet can make the service do (SECURITY.md).
    max_content_length: int = 64 * 1024  # bytes of a request body: larger is 413, unread
    proxy_hops: int = 0  # proxies in front that set X-Forwarded-For (sign-in limits per address)
    metrics_token: str = ""  # GET /metrics needs "Authorization: Bearer <token>"; empty: closed
    staff_session_hours: float = 8.0  # a dashboard session ends this long after signing in
    staff_idle_minutes: float = 30.0  # ... or after this long without a request
    replies_per_day: int = 30  # texts answered to one number in 24 hours; past it, silence
    unclear_replies_per_day: int = 5  # of those, "sorry, we did not get that" and the like
    pumping_factor: float = 10.0  # new numbers or replies this many times the usual hour: alarm
    pumping_min_per_hour: int = 30  # ... and at least this many in the hour

    # The staff inbox: when a person answers a patient's question (in PROGRAM_TIMEZONE).
    office_opens: dt.time = dt.time(9, 0)
    office_closes: dt.time = dt.time(17, 0)
    office_days: str = "mon-fri"
    office_closed_dates: Annotated[tuple[dt.date, ...], NoDecode] = ()  # holidays
    case_flag_hours: float = 24.0  # an open case older than this is flagged

    @field_validator("allowed_countries", mode="before")
    @classmethod
    def _split_countries(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(c.strip().upper() for c in value.split(",") if c.strip())
        return value

    def public_url_problem(self) -> str | None:
        """Why PUBLIC_BASE_URL cannot be what Twilio signs, or None when it can."""
        if self.sandbox:
            return None
        parts = urlsplit(self.public_base_url)
        if not self.public_base_url:
            return "PUBLIC_BASE_URL is required (the https:// address Twilio posts to)"
        if parts.scheme != "https" or not parts.hostname:
            return f"PUBLIC_BASE_URL must be https:// and a host: {self.public_base_url!r}"
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            return f"PUBLIC_BASE_URL must be https://host alone, no path: {self.public_base_url!r}"
        return None

    @property
    def reply_budget(self) -> ReplyBudget:
        return ReplyBudget(self.replies_per_day, self.unclear_replies_per_day)

    @field_validator("office_closed_dates", mode="before")
    @classmethod
    def _split_dates(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(dt.date.fromisoformat(d.strip()) for d in value.split(",") if d.strip())
        return value

    @model_validator(mode="after")
    def _hours_make_sense(self) -> Settings:
        """Bad office hours fail at start-up, not when a patient asks a question."""
        self.office_hours  # noqa: B018 (built for its checks)
        if self.case_flag_hours <= 0:
            raise ValueError("CASE_FLAG_HOURS must be more than 0")
        return self

    @property
    def office_hours(self) -> OfficeHours:
        return OfficeHours(
            zone=self.program_timezone,
            opens=self.office_opens,
            closes=self.office_closes,
            days=parse_days(self.office_days),
            closed=frozenset(self.office_closed_dates),
        )

    @property
    def case_flag_after(self) -> dt.timedelta:
        return dt.timedelta(hours=self.case_flag_hours)

    @property
    def database_timeouts(self) -> Timeouts:
        return Timeouts(
            self.database_connect_timeout_seconds, self.database_statement_timeout_seconds
        )

    @property
    def broker_url(self) -> str:
        """Redis when configured; otherwise a SQLite file, so nothing needs a server."""
        return self.redis_url or self.embedded_broker_url

    @property
    def status_callback_url(self) -> str | None:
        return self.public_url("/twilio/status")

    def public_url(self, path: str) -> str | None:
        """An absolute URL of this service for Twilio to call back, when one is configured:
        with the connection overrides, so a 503 from it is retried too."""
        base = self.public_base_url.rstrip("/")
        if not base:
            return None
        overrides = self.twilio_connection_overrides.lstrip("#")
        return f"{base}{path}" + (f"#{overrides}" if overrides else "")

    @property
    def sender_key(self) -> str:
        """Who sends, for the rate limit shared by all workers."""
        return self.twilio_messaging_service_sid or self.twilio_from_number or "default"

    @property
    def program(self) -> Program:
        """The program's words per language, and its own number for "call us back"."""
        sponsors = {
            Language.EN: Sponsor(self.program_name, self.program_org, self.program_contact),
            Language.ES: Sponsor(
                self.program_name_es, self.program_org_es, self.program_contact_es
            ),
        }
        phone = national(self.twilio_from_number) if self.twilio_from_number else ""
        return Program(sponsors, phone=phone)

    @property
    def production(self) -> bool:
        """A real Twilio account, not the sandbox: texts reach real patients."""
        return bool(self.twilio_account_sid) and not self.sandbox

    def program_problems(self, strict: bool) -> list[str]:
        """What stops this program's words going out: too long, or (strict) stand-ins."""
        program = self.program
        return length_problems(program) + (placeholder_problems(program) if strict else [])
