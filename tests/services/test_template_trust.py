"""A catalog names a team's cookiecutter template: rendering it must run none of its code.

cookiecutter's Jinja is not sandboxed and its hooks are Python: a pull request that
edits `technology.template` would run code in CI on `generate`, `--check` and
`--dry-run`. Without `--trust-templates` a team template renders in a sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Run, run_archgen

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "blueprints" / "minimal" / "catalog.yaml"
# Jinja attribute access from a template global to the `os` module: plain Jinja runs it.
ESCAPE = "{{ cycler.__init__.__globals__.os.system('touch %s') }}"


def _template(folder: Path, *, handlers: str, hook: str | None = None) -> Path:
    project = folder / "{{cookiecutter.service}}"
    (project / "src" / "{{cookiecutter.package}}").mkdir(parents=True)
    (folder / "cookiecutter.json").write_text(json.dumps(
        {"service": "x", "package": "x", "overridable": "", "_description": ""}))
    (project / "src" / "{{cookiecutter.package}}" / "handlers.py").write_text(handlers)
    (project / "OWNERS").write_text("team of {{ cookiecutter.service }}\n")
    if hook is not None:
        (folder / "hooks").mkdir()
        (folder / "hooks" / "pre_gen_project.py").write_text(hook)
    return folder


def _catalog(folder: Path, template: str) -> Path:
    catalog = folder / "catalog.yaml"
    catalog.write_text(MINIMAL.read_text().replace(
        "  notes-service:\n    bounded_context: Notes\n    description: Notes and their content\n"
        "    team: notes-team\n    technology: {language: python, framework: fastapi}\n",
        "  notes-service:\n    bounded_context: Notes\n    description: Notes and their content\n"
        "    team: notes-team\n    technology: {language: python, framework: fastapi, "
        f"template: {json.dumps(template)}}}\n", 1))
    assert template in catalog.read_text()
    return catalog


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A catalog whose template runs code both ways; (catalog, jinja marker, hook marker)."""
    jinja_marker, hook_marker = tmp_path / "ran-jinja", tmp_path / "ran-hook"
    _template(tmp_path / "evil", handlers=ESCAPE % jinja_marker + "\n",
              hook=f"import pathlib\npathlib.Path({str(hook_marker)!r}).touch()\n")
    return _catalog(tmp_path, str(tmp_path / "evil")), jinja_marker, hook_marker


@pytest.mark.parametrize("mode", [(), ("--check",), ("--dry-run",)],
                         ids=["generate", "check", "dry-run"])
def test_a_hostile_template_runs_nothing_without_the_trust_flag(
        hostile: tuple[Path, Path, Path], tmp_path: Path, mode: tuple[str, ...]) -> None:
    catalog, jinja_marker, hook_marker = hostile
    run = run_archgen("generate", str(catalog), "-o", str(tmp_path / "out"), "--only",
                      "services", *mode)
    assert not jinja_marker.exists() and not hook_marker.exists()
    _refused(run, tmp_path / "evil")


def _refused(run: Run, template: Path) -> str:
    """The one error line (and its hint) of a refused template; the error line."""
    code, err = run.code, run.err
    assert code != 0
    errors = [line for line in err.splitlines() if line.startswith("archgen: error:")]
    assert len(errors) == 1, err
    assert str(template) in errors[0] and "--trust-templates" in err
    assert "Traceback" not in err
    return errors[0]


def test_jinja_attribute_access_is_refused_by_the_sandbox(tmp_path: Path) -> None:
    marker = tmp_path / "ran-jinja"
    _template(tmp_path / "evil", handlers=ESCAPE % marker + "\n")
    catalog = _catalog(tmp_path, str(tmp_path / "evil"))
    run = run_archgen("generate", str(catalog), "-o", str(tmp_path / "out"), "--only",
                      "services")
    assert not marker.exists()
    assert "sandbox" in _refused(run, tmp_path / "evil")
    assert not (tmp_path / "out" / "services").exists()  # nothing half-written


def test_a_template_with_hooks_runs_none_of_them_without_the_trust_flag(tmp_path: Path) -> None:
    marker = tmp_path / "ran-hook"
    _template(tmp_path / "hooked", handlers="# handlers\n",
              hook=f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    catalog = _catalog(tmp_path, str(tmp_path / "hooked"))
    run = run_archgen("generate", str(catalog), "-o", str(tmp_path / "out"), "--only",
                      "services")
    assert not marker.exists()
    assert "hooks" in _refused(run, tmp_path / "hooked")


def test_with_the_trust_flag_a_template_renders_as_cookiecutter_does(
        hostile: tuple[Path, Path, Path], tmp_path: Path) -> None:
    catalog, jinja_marker, hook_marker = hostile
    run = run_archgen("generate", str(catalog), "-o", str(tmp_path / "out"), "--only",
                      "services", "--trust-templates")
    assert run.code == 0, run.err
    assert jinja_marker.exists() and hook_marker.exists()  # the user said so
    service = tmp_path / "out" / "services" / "notes-service"
    assert (service / "OWNERS").read_text() == "team of notes-service\n"


def test_a_relative_template_path_resolves_against_the_catalogs_folder(tmp_path: Path) -> None:
    team = tmp_path / "team"
    _template(team / "templates" / "svc", handlers='"""{{ cookiecutter.package }}."""\n')
    catalog = _catalog(team, "templates/svc")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = run_archgen("generate", str(catalog), "-o", str(tmp_path / "out"), "--only",
                      "services", cwd=elsewhere)
    assert run.code == 0, run.err
    service = tmp_path / "out" / "services" / "notes-service"
    assert (service / "src" / "notes_service" / "handlers.py").read_text() == \
        '"""notes_service."""\n'
    assert (service / "OWNERS").read_text() == "team of notes-service\n"


def test_the_bundled_scaffold_renders_in_the_sandbox_as_cookiecutter_renders_it() -> None:
    from archgen.generators.services import render_scaffold
    from archgen.resources import data_dir

    template = str(data_dir("templates") / "services-scaffold")
    context = {"service": "a-service", "package": "a_service", "overridable": "get_a on_x",
               "_description": "{{ 7*7 }} text", "_description_md": "{{ 7\\*7 }} text"}
    sandboxed = render_scaffold(template, context)
    trusted = render_scaffold(template, context, trusted=True)
    assert sandboxed == trusted
    assert {path for path, _ in sandboxed} >= {"README.md", "src/a_service/handlers.py"}
