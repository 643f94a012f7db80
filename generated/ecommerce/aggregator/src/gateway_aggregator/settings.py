"""Settings from the environment only (the variables of the deployment model).

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    service_name: str = "gateway-aggregator"
    port: int = 8080
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str = ""
    # One aggregation, every call and retry included, takes at most the gateway's route
    # timeout (the gateway waits a little longer, so the caller hears our answer).
    aggregation_timeout_ms: int = 2000
    customer_service_url: str = "http://customer-service:8080"
    order_service_url: str = "http://order-service:8080"

    def base_urls(self) -> dict[str, str]:
        """Each called service's base URL, by service name."""
        return {
            "customer-service": self.customer_service_url.rstrip("/"),
            "order-service": self.order_service_url.rstrip("/"),
        }
