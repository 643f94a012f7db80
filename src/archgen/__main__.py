"""Entry point. `--version` answers before typer, pydantic or rich are imported."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from archgen import __version__

        sys.stdout.write(f"archgen {__version__}\n")
        return 0
    from archgen.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
