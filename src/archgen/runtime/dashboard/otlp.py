"""OTLP/HTTP traces in: an ExportTraceServiceRequest (protobuf, or its JSON mapping) as the
dashboard's span records. Decoding is the OpenTelemetry protocol package's own."""

from __future__ import annotations

from typing import Any

from archgen.runtime.dashboard.rings import MAX_ATTRIBUTES, MAX_VALUE_CHARS, cut

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer",
          5: "consumer"}
_STATUS = {0: "unset", 1: "ok", 2: "error"}


class OtlpError(ValueError):
    """The body is no ExportTraceServiceRequest; the message says why, in one line."""


def decode(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """The spans of one export request."""
    from google.protobuf import json_format
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    request = ExportTraceServiceRequest()
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    try:
        if kind == JSON:
            json_format.Parse(body, request, ignore_unknown_fields=True)
        elif kind == PROTOBUF:
            request.ParseFromString(body)
        else:
            raise OtlpError(f"content type {kind or 'none'!r}: send {PROTOBUF} or {JSON}")
    except (DecodeError, json_format.ParseError) as exc:
        raise OtlpError(f"not an OTLP trace export: {str(exc)[:200]}") from None
    spans = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = str(resource.get("service.name", "unknown"))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append({
                    "trace_id": span.trace_id.hex(),
                    "span_id": span.span_id.hex(),
                    "parent_span_id": span.parent_span_id.hex(),
                    "name": cut(span.name, MAX_VALUE_CHARS),
                    "service": cut(service, MAX_VALUE_CHARS),
                    "kind": _KINDS.get(span.kind, "unspecified"),
                    "start_ns": span.start_time_unix_nano,
                    "end_ns": max(span.end_time_unix_nano, span.start_time_unix_nano),
                    "status": _STATUS.get(span.status.code, "unset"),
                    "status_message": cut(span.status.message, MAX_VALUE_CHARS),
                    "attributes": _attributes(span.attributes),
                })
    return spans


def empty_response() -> bytes:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceResponse,
    )

    return bytes(ExportTraceServiceResponse().SerializeToString())


def _attributes(pairs: Any) -> dict[str, str | int | float | bool]:
    out: dict[str, str | int | float | bool] = {}
    for pair in list(pairs)[:MAX_ATTRIBUTES]:
        value = pair.value
        which = value.WhichOneof("value")
        if which in ("int_value", "double_value", "bool_value"):
            out[pair.key] = getattr(value, which)
        elif which == "string_value":
            out[pair.key] = cut(value.string_value, MAX_VALUE_CHARS)
        elif which is not None:
            out[pair.key] = cut(str(getattr(value, which)).replace("\n", " "), MAX_VALUE_CHARS)
    return out
