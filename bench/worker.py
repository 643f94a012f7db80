"""One in-process measurement in a fresh interpreter, for bench.run.

    python -m bench.worker MODE FILE     ->  {"seconds": ..., "errors": ...} on stdout

Imports happen before the clock starts, so `seconds` is the work alone and the
caller's wall time minus it is interpreter start-up plus imports.

Modes:
  floor      yaml.load(text, CSafeLoader): the floor every YAML tool pays
  floor-nogc the same with the cyclic garbage collector off (what GC costs)
  load       archgen.catalog.load_catalog: YAML + positions + model + resolve
  validate   archgen.validation.validate_file: load + every rule that exists today
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _floor(path: Path) -> tuple[Callable[[], Any], Callable[[Any], int]]:
    import yaml

    def run() -> Any:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle.read(), Loader=yaml.CSafeLoader)

    return run, lambda _: 0


def _load(path: Path) -> tuple[Callable[[], Any], Callable[[Any], int]]:
    from archgen.catalog import load_catalog
    from archgen.findings import Severity

    return (lambda: load_catalog(path),
            lambda r: sum(1 for f in r.findings if f.severity is Severity.ERROR))


def _validate(path: Path) -> tuple[Callable[[], Any], Callable[[Any], int]]:
    from archgen.findings import Severity
    from archgen.validation import validate_file

    return (lambda: validate_file(path),
            lambda r: sum(1 for f in r.findings if f.severity is Severity.ERROR))


MODES: dict[str, Callable[[Path], tuple[Callable[[], Any], Callable[[Any], int]]]] = {
    "floor": _floor, "floor-nogc": _floor, "load": _load, "validate": _validate,
}


def main(argv: list[str]) -> int:
    mode, file = argv
    run, errors = MODES[mode](Path(file))
    if mode == "floor-nogc":
        gc.disable()
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    sys.stdout.write(json.dumps({"seconds": seconds, "errors": errors(result)}) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
