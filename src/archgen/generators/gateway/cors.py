"""The catalog's CORS policy as both gateways may write it: header-safe values only.

Validation reports bad values (AG110, AG111); this guard holds even when it is
bypassed: a method or header name that is not an RFC 9110 token, or an origin
with whitespace or control characters, is left out of the config, and so is
`allow_credentials` beside a `*` origin. Each omission is told to the run
(`ctx.problems`), which then exits non-zero.
"""

from __future__ import annotations

from collections.abc import Callable

from archgen.model.catalog import Cors
from archgen.model.http import is_origin, is_token
from archgen.output import GenerationContext


def safe_cors(cors: Cors, ctx: GenerationContext, output: str) -> Cors:
    """`cors` without what a header must not carry; what was dropped goes to `ctx.problems`."""
    def keep(key: str, values: list[str], check: Callable[[str], bool], what: str) -> list[str]:
        kept = []
        for i, value in enumerate(values):
            if check(value):
                kept.append(value)
            else:
                ctx.problems.append(f"{output}: gateway.cors.{key}[{i}] {value!r} is not "
                                    f"{what}: left out")
        return kept

    origins = keep("allow_origins", cors.allow_origins, is_origin, "an HTTP origin")
    credentials = cors.allow_credentials
    if credentials and "*" in origins:
        ctx.problems.append(f"{output}: gateway.cors.allow_credentials with a `*` origin "
                            "would let every site read answers with the user's credentials:"
                            " left out")
        credentials = None
    return cors.model_copy(update={
        "allow_origins": origins,
        "allow_methods": keep("allow_methods", cors.allow_methods, is_token, "an HTTP token"),
        "allow_headers": keep("allow_headers", cors.allow_headers, is_token, "an HTTP token"),
        "allow_credentials": credentials})
