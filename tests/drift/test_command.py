"""`archgen drift` at the edge: bad targets are one-line usage errors (exit 2); a target
that does not answer is a finding (exit 1), never a traceback."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

from archgen.cli import run
from tests.helpers import ECOMMERCE


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    shutil.copy(ECOMMERCE, tmp_path / "catalog.yaml")
    return tmp_path / "catalog.yaml"


def _closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("args", "message"), [
    ([], "no system of `archgen up` runs from"),
    (["--url", "order-service"], "--url 'order-service': write NAME=http(s)://HOST:PORT"),
    (["--url", "billing=http://127.0.0.1:1"], "'billing' is no service of the catalog"),
    (["--against", "k8s:"], "names no namespace"),
    (["--against", "prod"], "write up, urls or k8s:NAMESPACE"),
    (["--against", "urls"], "needs --url NAME=URL or --broker HOST:PORT"),
    (["--select", "AGX999"], "`AGX999` is not a drift code"),
])
def test_bad_targets_are_usage_errors(catalog: Path, args: list[str], message: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["drift", str(catalog), "-o", str(catalog.parent / "out"), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err


def test_a_service_that_does_not_answer_is_a_finding(catalog: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    code = run(["drift", str(catalog), "--url", f"order-service={url}", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert code == 1
    assert sorted((f["code"], f["location"]["pointer"]) for f in findings) == [
        ("AGX100", "/services/order-service"), ("AGX400", "/services/order-service")]
    assert "GET /openapi.json failed (ConnectError" in findings[0]["message"] + \
        findings[1]["message"]


def test_a_broker_that_does_not_answer_is_a_finding(catalog: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["drift", str(catalog), "--broker", f"127.0.0.1:{_closed_port()}",
                "--format", "json"])
    out, err = capsys.readouterr()
    findings = json.loads(out)["files"][0]["findings"]
    assert code == 1
    assert [f["code"] for f in findings] == ["AGX300"]
    assert "KafkaConnectionError: Unable to bootstrap" in findings[0]["message"]
    assert err == ""
