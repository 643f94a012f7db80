"""Stand-in services with the contract's layout, for tests that need services but not the generator.

Each is a tiny FastAPI app at `services/<svc>/src/<pkg>/app.py` with
/health/live and /health/ready; ready means its store and broker answer, as
the contract says. Not a mock of archgen: the runtime under test starts them
exactly as it starts the generated ones. A service exits when the file
`crash` appears in its folder (to test restarts and crash handling), and
answers 503 on /health/ready while the file `sick` is there.
"""

from __future__ import annotations

from pathlib import Path

from archgen.model.deployment import Deployment

APP = '''
import asyncio, os, pathlib, socket, threading, time
from urllib.parse import urlparse, parse_qs
from fastapi import FastAPI, Response

app = FastAPI()
HERE = pathlib.Path(__file__).resolve().parents[2]

def _watch_crash() -> None:
    while not (HERE / "crash").exists():
        time.sleep(0.1)
    (HERE / "crash").unlink()
    os._exit(3)

threading.Thread(target=_watch_crash, daemon=True).start()

def _tcp(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False

def _reachable() -> list[str]:
    missing = []
    for name, value in os.environ.items():
        if name.endswith(("DATABASE_URL", "REDIS_URL")):
            url = urlparse(value)
            if url.scheme.startswith("postgresql"):
                sock = parse_qs(url.query)["host"][0] + "/.s.PGSQL.5432"
                if not os.path.exists(sock):
                    missing.append(name)
            elif url.scheme == "redis" and not _tcp(url.hostname or "", url.port or 0):
                missing.append(name)
    brokers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if brokers:
        host, _, port = brokers.partition(":")
        if not _tcp(host, int(port)):
            missing.append("KAFKA_BOOTSTRAP_SERVERS")
    return missing

@app.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "up"}

@app.get("/health/ready")
def ready(response: Response) -> dict[str, object]:
    missing = _reachable() + (["sick"] if (HERE / "sick").exists() else [])
    response.status_code = 503 if missing else 200
    return {"missing": missing}

@app.get("/env")
def env() -> dict[str, str]:
    return dict(os.environ)
'''


def write_standins(output: Path, deployment: Deployment, extra: str = "") -> None:
    for svc in deployment.services.values():
        package = output / "services" / svc.name / "src" / svc.package
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "app.py").write_text(APP + extra, encoding="utf-8")
