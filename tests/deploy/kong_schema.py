"""A JSON Schema of the parts of Kong 3.x's declarative format archgen writes.

Kong cannot run here (no binary, no package). This mirrors, field by field, the
entity schemas in Kong's source (kong/db/schema/entities/services.lua,
routes.lua, consumer_groups.lua and the bundled jwt, cors, rate-limiting and
request-size-limiting plugin schemas): the field names each entity accepts, their
types and ranges.
Kong's own loader also runs entity checks this cannot (e.g. the router
expression compile); the regex paths are compiled separately in the test.
"""

from __future__ import annotations

from typing import Any

_TIMEOUT = {"type": "integer", "minimum": 1, "maximum": 2**31 - 2}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_METHODS = {"type": "array", "minItems": 1, "items": {"enum": [
    "GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"]}}


def _record(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required),
            "additionalProperties": False}


_JWT = _record({"key_claim_name": {"type": "string"},
                "claims_to_verify": {"type": "array", "items": {"enum": ["exp", "nbf"]}},
                "header_names": _STRINGS, "uri_param_names": _STRINGS, "cookie_names": _STRINGS,
                "run_on_preflight": {"type": "boolean"},
                "secret_is_base64": {"type": "boolean"},
                "maximum_expiration": {"type": "number", "minimum": 0},
                "anonymous": {"type": "string"}})
_CORS = _record({"origins": _STRINGS, "methods": _METHODS, "headers": _STRINGS,
                 "exposed_headers": _STRINGS, "credentials": {"type": "boolean"},
                 "max_age": {"type": "number"}, "preflight_continue": {"type": "boolean"},
                 "private_network": {"type": "boolean"}})
_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_RATE = {**_record({
    **dict.fromkeys(("second", "minute", "hour", "day", "month", "year"), _POSITIVE),
    "limit_by": {"enum": ["consumer", "consumer-group", "credential", "ip", "service",
                          "header", "path"]},
    "policy": {"enum": ["local", "cluster", "redis"]},
    "fault_tolerant": {"type": "boolean"}, "hide_client_headers": {"type": "boolean"}}),
    "anyOf": [{"required": [p]} for p in ("second", "minute", "hour", "day", "month",
                                          "year")]}


_SIZE = _record({"allowed_payload_size": {"type": "integer", "minimum": 0},
                 "size_unit": {"enum": ["megabytes", "kilobytes", "bytes"]},
                 "require_content_length": {"type": "boolean"}})


def _plugin(name: str, config: dict[str, Any]) -> dict[str, Any]:
    return _record({"name": {"const": name}, "config": config, "enabled": {"type": "boolean"},
                    "tags": _STRINGS}, ("name",))


_PLUGINS = {"type": "array", "items": {"oneOf": [
    _plugin("jwt", _JWT), _plugin("cors", _CORS), _plugin("rate-limiting", _RATE),
    _plugin("request-size-limiting", _SIZE)]}}
_ROUTE = _record({
    "name": {"type": "string"}, "methods": _METHODS, "hosts": _STRINGS,
    "paths": {"type": "array", "items": {"type": "string", "pattern": "^(/|~/)"}},
    "strip_path": {"type": "boolean"}, "preserve_host": {"type": "boolean"},
    "regex_priority": {"type": "integer"}, "path_handling": {"enum": ["v0", "v1"]},
    "protocols": {"type": "array", "items": {"enum": ["http", "https"]}},
    "request_buffering": {"type": "boolean"}, "response_buffering": {"type": "boolean"},
    "tags": _STRINGS, "plugins": _PLUGINS}, ("name",))
_SERVICE = _record({
    "name": {"type": "string", "pattern": "^[A-Za-z0-9.\\-_~]+$"},
    "url": {"type": "string", "pattern": "^https?://"},
    "retries": {"type": "integer", "minimum": 0, "maximum": 32767},
    "connect_timeout": _TIMEOUT, "read_timeout": _TIMEOUT, "write_timeout": _TIMEOUT,
    "tags": _STRINGS, "routes": {"type": "array", "items": _ROUTE}, "plugins": _PLUGINS},
    ("name", "url"))
KONG_DECLARATIVE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_record({
        "_format_version": {"enum": ["3.0"]},
        "_transform": {"type": "boolean"},
        "services": {"type": "array", "items": _SERVICE},
        "plugins": _PLUGINS,
        "consumer_groups": {"type": "array", "items": _record(
            {"name": {"type": "string"}, "plugins": _PLUGINS, "tags": _STRINGS}, ("name",))},
    }, ("_format_version",)),
}
