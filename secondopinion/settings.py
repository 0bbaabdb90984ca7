"""Configuration from the environment, read once per process (pydantic-settings)."""

from __future__ import annotations

from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from flows.content.render import Program
from store.db import Timeouts

# The US and its territories: Puerto Rico, the Virgin Islands, Guam, American Samoa,
# the Northern Mariana Islands.
DEFAULT_COUNTRIES = ("US", "PR", "VI", "GU", "AS", "MP")


class Settings(BaseSettings):
    """Every setting has a default that runs on a bare machine; production overrides them."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///secondopinion.db"
    database_pool_size: int = 5  # 0: no pool, a connection per transaction (behind pgbouncer)
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
    program_name: str = "Second Opinion Prep"
    program_org: str = "your patient navigation team"
    program_contact: str = "the number on your clinic's website"
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

    @field_validator("allowed_countries", mode="before")
    @classmethod
    def _split_countries(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(c.strip().upper() for c in value.split(",") if c.strip())
        return value

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
        return Program(self.program_name, self.program_org, self.program_contact)
