"""values.schema.json: Helm checks every install's values against it (`helm lint` too)."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_INT = {"type": "integer", "minimum": 0}
_PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
_SELECTOR = {"type": "object"}


def _obj(props: dict[str, Any], required: list[str] | None = None,
         extra: bool = False) -> dict[str, Any]:
    return {"type": "object", "properties": props,
            "required": sorted(props) if required is None else required,
            "additionalProperties": extra}


_QUANTITIES = _obj({"cpu": _STR, "memory": _STR})
_SERVICE = _obj({
    "description": _STR,
    "image": _obj({"repository": _STR, "tag": _STR,
                   "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}}),
    "port": _PORT,
    "health": _obj({"live": _STR, "ready": _STR}),
    "metricsPath": _STR,
    "replicas": _obj({"min": _INT, "max": {"type": "integer", "minimum": 1},
                      "cpuTargetPct": {"type": "integer", "minimum": 1, "maximum": 100}}),
    "resources": _obj({"requests": _QUANTITIES, "limits": _QUANTITIES}),
    "env": {"type": "object", "additionalProperties": _STR},
    "secretEnv": {"type": "array", "items": _obj({
        "name": _STR, "secretKeyRef": _obj({"name": _STR, "key": _STR})})},
    "public": {"type": "boolean"},
    "callers": {"type": "array", "items": _STR},
    "egress": {"type": "array", "items": _obj({"podSelector": _SELECTOR, "port": _PORT})},
})
_PEER = _obj({"namespaceSelector": _SELECTOR, "podSelector": _SELECTOR})


def values_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "archgen system chart values",
        **_obj({
            "services": {"type": "object", "additionalProperties": _SERVICE},
            "podSecurity": _obj({"runAsUser": {"type": "integer", "minimum": 1},
                                 "runAsGroup": {"type": "integer", "minimum": 1}}),
            "checkovSkips": {"type": "array", "items": _obj({"id": _STR, "reason": _STR})},
            "serviceMonitor": _obj({"enabled": {"type": "boolean"}, "interval": _STR}),
            "networkPolicy": _obj({"enabled": {"type": "boolean"}, "gateway": _PEER,
                                   "monitoring": _PEER,
                                   "dns": _obj({"namespaceSelector": _SELECTOR})}),
            "kafkaTopics": _obj({
                "enabled": {"type": "boolean"}, "cluster": _STR,
                "topics": {"type": "array", "items": _obj({
                    "name": _STR, "resourceName": _STR, "partitions": {"type": "integer",
                                                                       "minimum": 1},
                    "replicas": {"type": "integer", "minimum": 1},
                    "config": {"type": "object", "additionalProperties": _STR}})}}),
        }),
    }
