"""Settings from the environment only (the variables of the deployment model).

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    service_name: str = "payment-service"
    port: int = 8080
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str = ""
    database_url: str = "sqlite+aiosqlite:///./payments_db.db"
    # The store's connection pool: a request waits this long for a free connection,
    # then is answered 503 with Retry-After.
    store_pool_size: int = 10
    store_pool_timeout_s: float = 2.0
    # Empty: no broker (events stay in the outbox, nothing is consumed).
    kafka_bootstrap_servers: str = ""
    kafka_consumer_group: str = "payment-service"
    kafka_session_timeout_ms: int = 10000
    kafka_heartbeat_interval_ms: int = 3000
    kafka_rebalance_timeout_ms: int = 10000
    kafka_fetch_max_wait_ms: int = 100
