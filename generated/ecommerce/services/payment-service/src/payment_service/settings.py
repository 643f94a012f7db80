"""Settings from the environment only (the variables of the deployment model).

Outside development mode a service refuses to start without the settings `missing()`
names (its store URL, its broker when it has events): a pod with a forgotten variable
must not run on a local file and drop its events. ENVIRONMENT=development runs it on
local defaults instead.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

# The store of development mode (ENVIRONMENT=development) when its URL is not set.
DEVELOPMENT_STORE = "sqlite+aiosqlite:///./payments_db.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    service_name: str = "payment-service"
    port: int = 8080
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str = ""
    # "development": local defaults (DEVELOPMENT_STORE, and no broker: events are not
    # published); anything else needs every setting `missing()` names.
    environment: str = "production"
    database_url: str = ""
    # The store's connection pool: a request waits this long for a free connection,
    # then is answered 503 with Retry-After.
    store_pool_size: int = 10
    store_pool_timeout_s: float = 2.0
    # Requests served at once; more are answered 503 with Retry-After (the kit's admission).
    max_in_flight: int = 64
    # Admission lowers its limit while requests take longer than this (half the
    # catalog's p95 SLA) and raises it again, up to max_in_flight, while they do not.
    admission_target_ms: float = 150.0
    # Empty (development mode only): no broker, nothing is published or consumed.
    kafka_bootstrap_servers: str = ""
    kafka_consumer_group: str = "payment-service"
    kafka_session_timeout_ms: int = 10000
    kafka_heartbeat_interval_ms: int = 3000
    kafka_rebalance_timeout_ms: int = 10000
    kafka_fetch_max_wait_ms: int = 100
    kafka_commit_interval_ms: int = 1000

    @property
    def development(self) -> bool:
        return self.environment.strip().lower() == "development"

    def store_url(self) -> str:
        """The store's URL; unset, DEVELOPMENT_STORE in development mode."""
        return self.database_url or (DEVELOPMENT_STORE if self.development else "")

    def missing(self) -> list[str]:
        """The environment variables this service cannot run without (none in development)."""
        if self.development:
            return []
        missing: list[str] = []
        if not self.database_url:
            missing.append("DATABASE_URL")
        if not self.kafka_bootstrap_servers:
            missing.append("KAFKA_BOOTSTRAP_SERVERS")
        return missing
