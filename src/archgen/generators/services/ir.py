"""The intermediate representation of one generated service: every value its templates place.

Computed here, in Python, from the resolved catalog and the deployment model
(docs/architecture.md: templates only place what is computed here). Python source text for types
and literals is produced here too, always through `repr`/`py_str`-safe paths.
"""

from __future__ import annotations

import keyword
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from archgen.model.deployment import ServiceDeployment
from archgen.model.fieldtypes import TypeRef
from archgen.model.names import snake
from archgen.model.resolved import Condition, Endpoint, Field, Model, Service

_PY_SCALARS = {"str": "str", "int": "StrictInt", "float": "float", "bool": "StrictBool",
               "decimal": "Decimal", "uuid": "UUID", "date": "date", "datetime": "datetime"}
_PARAM_TYPES = {"int": "int", "float": "float", "bool": "bool", "uuid": "UUID", "date": "date",
                "datetime": "datetime"}
# Fill values for required fields a create does not receive ("@uuid", "@now" are made at run time).
_ZERO: Mapping[str, Any] = {"str": "", "int": 0, "float": 0.0, "bool": False, "decimal": "0",
                            "uuid": "@uuid", "date": "@today", "datetime": "@now"}
# A path parameter's example value by its Python type.
_EXAMPLE_PARAMS = {"UUID": "00000000-0000-4000-8000-000000000000", "int": "1"}
# The retry policy of consumers when `communication.async.retries` says nothing.
DEFAULT_ASYNC_RETRY = (3, 200)


@dataclass(frozen=True)
class FieldIR:
    name: str  # the Python attribute
    annotation: str  # Python source of the type
    default: str | None  # Python source of the default; None: required
    alias: str | None = None  # the catalog's name (JSON key) when it is not `name`
    # The type without constraints or optionality, as a key or lookup argument takes it:
    # a plain scalar (`str`, `int`, `UUID`, ...), an enum's `Literal[...]`, else `Any`.
    plain: str = "Any"


@dataclass(frozen=True)
class ModelIR:
    name: str  # the Python class
    fields: tuple[FieldIR, ...]


@dataclass(frozen=True)
class StoredIR:
    name: str  # the catalog's model name: store keys, table names
    cls: str  # its Python class
    key: str
    indexes: tuple[str, ...]
    fill: Mapping[str, Any]


@dataclass(frozen=True)
class EndpointIR:
    name: str  # the handler name (snake operationId): teams override it in handlers.py
    method: str
    path: str
    status: int
    params: tuple[tuple[str, str, str], ...]  # (Python name, Python type, name in the path)
    request: str | None  # the Python class of the body
    action: str  # create | read | update | upsert | list | none
    model: str | None
    filter_field: str | None
    emits: tuple[tuple[str, Condition], ...]  # (event, condition on the result; {} = always)
    body_limit: int  # bytes of request body the route reads (model/bodylimit.py)
    # Python type of the answer (`models.Order`, `list[models.Order]`), None when it is not
    # one of the service's models: what a team handler returns is validated against it.
    response: str | None = None
    item: str | None = None  # of a list answer: the Python type of one item

    @property
    def example_path(self) -> str:
        """The path with an example value in each parameter (the generated smoke tests)."""
        example = self.path
        for _, typ, name in self.params:
            value = _EXAMPLE_PARAMS.get(typ, "x")
            example = example.replace("{" + name + "}", value)
        return example


@dataclass(frozen=True)
class EventIR:
    name: str
    cls: str  # the payload model's class name
    topic: str
    key: str | None
    dead_letter: str | None
    fields: tuple[FieldIR, ...]
    fill: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReactionIR:
    event: str
    kind: str
    model: str
    match: Mapping[str, str]
    copy: Mapping[str, str]
    set: Mapping[str, Any]
    emits: tuple[tuple[str, Condition], ...]
    when: Condition  # on the payload


@dataclass(frozen=True)
class DeadlineIR:
    """A reaction's timeout: `event` emitted when `within_s` passes with the record's
    `field` (its state machine's field; None: any record) unchanged."""

    cause: str  # the consumed event whose reaction sets the timer
    model: str
    field: str | None
    within_s: float
    event: str


@dataclass(frozen=True)
class MachineIR:
    """A field's state machine as spec.py states it (resolved.StateMachine, plain data)."""

    initial: str
    final: tuple[str, ...]
    transitions: Mapping[str, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True)
class ServiceIR:
    name: str
    system: str
    package: str
    deployment: ServiceDeployment
    store_kind: str  # relational | key-value | document | memory
    models: tuple[ModelIR, ...]
    stored: tuple[StoredIR, ...]
    endpoints: tuple[EndpointIR, ...]
    publishes: tuple[EventIR, ...]
    consumes: tuple[EventIR, ...]
    reactions: tuple[ReactionIR, ...]
    machines: Mapping[str, Mapping[str, MachineIR]]  # stored model -> field -> its states
    deadlines: tuple[DeadlineIR, ...]
    retry_attempts: int
    retry_base_ms: int
    upstreams: tuple[UpstreamIR, ...]
    other_packages: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class UpstreamIR:
    service: str
    cls: str
    env: str
    url: str  # where it answers by default (its deployment's URL; `env` overrides it)
    timeout_s: float
    attempts: int
    base_ms: int
    failure_threshold: int
    reset_s: float
    max_backoff_s: float
    models: tuple[ModelIR, ...] = ()  # the callee's models its read calls answer, prefixed
    calls: tuple[CallIR, ...] = ()


@dataclass(frozen=True)
class CallIR:
    """A typed read call of a callee: GET path -> one of the callee's models (or a list)."""

    name: str
    path: str  # a str.format template, by Python names: `/api/v1/customers/{id}`
    params: tuple[tuple[str, str], ...]  # (Python name, Python type)
    returns: str  # Python type
    model: str
    many: bool


K = TypeVar("K")

# Python names a generated models module uses in class bodies: its imports, its base
# class and the builtins of annotations. A field so named would shadow them there.
MODULE_NAMES = frozenset({
    "Annotated", "Any", "BaseModel", "ConfigDict", "Decimal", "Field", "Literal", "Model",
    "StrictBool", "StrictInt", "UUID", "annotations", "bool", "date", "datetime", "dict",
    "float", "int", "list", "str", "sys", "wire_names"})
# pydantic's BaseModel attributes (and the prefixes it protects): not field names.
_PYDANTIC_NAMES = frozenset({
    "construct", "copy", "dict", "from_orm", "json", "parse_file", "parse_obj", "parse_raw",
    "schema", "schema_json", "update_forward_refs", "validate"})
_PYDANTIC_PREFIXES = ("model_",)


def _safe(name: str, reserved: Collection[str]) -> bool:
    return (name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")
            and not name.startswith(_PYDANTIC_PREFIXES) and name not in _PYDANTIC_NAMES
            and name not in reserved)


def python_names(names: Iterable[str], reserved: Collection[str] = ()) -> dict[str, str]:
    """Catalog name -> a Python identifier for it, unique among `names`: the name itself
    where Python and pydantic allow it, else `from_`, `init_` (for `__init__`),
    `field_model_config`, ... The catalog's name stays on the wire (an alias)."""
    names = list(dict.fromkeys(names))
    out = {n: n for n in names if _safe(n, reserved)}
    taken = set(out.values()) | set(reserved)
    for name in names:
        if name in out:
            continue
        base = name.strip("_") or "field"
        base = base if base[0].isalpha() else "f" + base
        suffix = 1
        candidates = [base + "_", "field_" + base]
        while not any(_safe(c, taken) for c in candidates):
            suffix += 1
            candidates = [f"field_{base}{suffix}"]
        out[name] = next(c for c in candidates if _safe(c, taken))
        taken.add(out[name])
    return {name: out[name] for name in names}


def class_names(wanted: Mapping[K, str], reserved: Collection[str] = MODULE_NAMES
                ) -> dict[K, str]:
    """Each key -> its Python class: the wanted name, with `_` appended while it is a
    keyword or taken (`Field` -> `Field_`); all distinct, in the order of `wanted`."""
    out: dict[K, str] = {}
    taken = set(reserved)
    for key, name in wanted.items():
        cls = name
        while keyword.iskeyword(cls) or cls in taken:
            cls += "_"
        out[key] = cls
        taken.add(cls)
    return out


def annotation(ref: TypeRef, spec_field: Field | None = None,
               known: frozenset[str] | None = None,
               classes: Mapping[str, str] | None = None) -> str:
    """Python source of a type; models outside `known` (another service's) become dicts.

    `classes` maps a model to its Python class (a callee's models are prefixed inside
    their caller: `CustomerServiceCustomer`)."""
    if spec_field is not None and spec_field.spec.enum:
        return "Literal[" + ", ".join(repr(v) for v in spec_field.spec.enum) + "]"
    if ref.kind == "scalar":
        base = _PY_SCALARS[ref.name]
        if spec_field is not None:
            base = _constrained(base, spec_field, ref.name)
        return base
    if ref.kind == "model":
        if known is not None and ref.name not in known:
            return "dict[str, Any]"
        return (classes or {}).get(ref.name, ref.name)
    assert ref.item is not None
    inner = annotation(ref.item, None, known, classes)
    return f"list[{inner}]" if ref.kind == "list" else f"dict[str, {inner}]"


def _constrained(base: str, f: Field, scalar: str) -> str:
    spec = f.spec
    args: list[str] = []
    if scalar == "decimal":
        # Decimals travel as strings (schemas.py): keep the wire type and its pattern.
        return 'Annotated[str, Field(pattern=r"^-?[0-9]+(\\.[0-9]+)?$")]'
    for name, value in (("ge", spec.minimum), ("le", spec.maximum),
                        ("min_length", spec.min_length), ("max_length", spec.max_length),
                        ("pattern", spec.pattern)):
        if value is not None:
            exact = int(value) if isinstance(value, float) and value.is_integer() else value
            args.append(f"{name}={exact!r}")
    if scalar == "int" and spec.maximum is None:
        args.append("le=2**63 - 1")  # what a BIGINT holds (docs/runtime-notes.md, schemathesis)
    if scalar == "int" and spec.minimum is None:
        args.append("ge=-(2**63)")
    return f"Annotated[{base}, Field({', '.join(args)})]" if args else base


def field_ir(f: Field, known: frozenset[str] | None = None,
             classes: Mapping[str, str] | None = None, name: str | None = None) -> FieldIR:
    """A field as a Python attribute `name` (the catalog's name when None)."""
    ann = annotation(f.type, f, known, classes)
    attr = name or f.name
    alias = f.name if attr != f.name else None
    plain = plain_type(f)
    if f.spec.default is not None:
        return FieldIR(attr, ann, repr(f.spec.default), alias, plain)
    if not f.required:
        return FieldIR(attr, f"{ann} | None", "None", alias, plain)
    return FieldIR(attr, ann, None, alias, plain)


def plain_type(f: Field) -> str:
    """The Python type of a field's values, without constraints: what a key or a lookup
    argument is typed as."""
    if f.spec.enum:
        return "Literal[" + ", ".join(repr(v) for v in f.spec.enum) + "]"
    if f.type.kind == "scalar":  # as a path parameter of that type (decimals travel as text)
        return _PARAM_TYPES.get(f.type.name, "str")
    return "Any"


def fields_ir(fields: tuple[Field, ...], reserved: Collection[str],
              known: frozenset[str] | None = None,
              classes: Mapping[str, str] | None = None) -> tuple[FieldIR, ...]:
    """The fields of one class, each with a Python name safe in a class body of a module
    defining `reserved` (its imports and classes)."""
    attrs = python_names([f.name for f in fields], reserved)
    return tuple(field_ir(f, known, classes, attrs[f.name]) for f in fields)


def model_ir(model: Model, classes: Mapping[str, str], module: Collection[str]) -> ModelIR:
    """A catalog model as the class `classes[name]` of a module defining `module`."""
    return ModelIR(classes[model.name], fields_ir(model.fields, module, None, classes))


def fill_of(fields: tuple[Field, ...]) -> dict[str, Any]:
    """Values for required fields nobody provides: the default, the first enum value, a zero."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.spec.default is not None:
            out[f.name] = f.spec.default
        elif not f.required:
            continue
        elif f.spec.enum:
            out[f.name] = f.spec.enum[0]
        elif f.type.kind == "scalar":
            minimum = f.spec.minimum
            out[f.name] = (int(minimum) if f.type.name == "int" and minimum is not None
                           else _ZERO[f.type.name])
        elif f.type.kind in ("list", "dict"):
            out[f.name] = [] if f.type.kind == "list" else {}
    return out


def key_of(model: Model, endpoints: list[Endpoint]) -> str:
    names = [f.name for f in model.fields]
    if "id" in names:
        return "id"
    for ep in endpoints:
        for param in ep.path_params:
            if snake(param) in names:
                return snake(param)
    return names[0] if names else "id"


def param_type(svc: Service, ep: Endpoint, name: str) -> str:
    for model_name in [m for r in (ep.response, ep.request) if r for m in r.model_names()] + sorted(
            svc.models):
        model = svc.models.get(model_name)
        for f in model.fields if model else ():
            if f.name in (name, snake(name)) and f.type.kind == "scalar":
                return _PARAM_TYPES.get(f.type.name, "str")
    return "UUID" if name == "id" or snake(name).endswith("_id") else "str"
