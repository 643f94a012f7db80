"""Reading a Kubernetes namespace's workloads through the API, with the user's kubeconfig.

Only what `nfr` speaks about is read: the Deployments (replicas, the service
container's resources and probes) and the HorizontalPodAutoscalers. The
kubeconfig's current (or named) context gives the server, its CA and the
user's credentials: a token, a token file, a client certificate, or an `exec`
plugin (cloud logins) run for a token.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from archgen.drift.observed import Workload

TIMEOUT_S = 15.0
CONTAINER = "app"  # the generated chart's container name; else the first container


class KubeError(Exception):
    """The kubeconfig or the API server cannot give the workloads; one line."""


@dataclass(frozen=True)
class KubeTarget:
    namespace: str
    kubeconfig: Path | None = None  # None: $KUBECONFIG, else ~/.kube/config
    context: str | None = None


def read_workloads(target: KubeTarget) -> dict[str, Workload]:
    server, client_args = _connection(target)
    ns = target.namespace
    with httpx.Client(base_url=server, timeout=TIMEOUT_S, trust_env=False,
                      **client_args) as client:
        deployments = _get(client, f"/apis/apps/v1/namespaces/{ns}/deployments")
        scalers = _get(client, f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers")
    return workloads(deployments, scalers)


def workloads(deployments: dict[str, Any], scalers: dict[str, Any]) -> dict[str, Workload]:
    """Deployment name -> what nfr speaks about, from a DeploymentList and an HPA list."""
    ranges = {}
    for hpa in scalers.get("items", ()):
        spec = hpa.get("spec", {})
        ref = spec.get("scaleTargetRef", {})
        if ref.get("kind") == "Deployment":
            ranges[ref.get("name")] = (spec.get("minReplicas", 1), spec.get("maxReplicas"))
    out = {}
    for item in deployments.get("items", ()):
        name = item.get("metadata", {}).get("name", "")
        spec = item.get("spec", {})
        containers = spec.get("template", {}).get("spec", {}).get("containers", []) or [{}]
        app = next((c for c in containers if c.get("name") == CONTAINER), containers[0])
        resources = app.get("resources", {})
        low, high = ranges.get(name, (None, None))
        out[name] = Workload(
            name, spec.get("replicas"), low, high,
            {k: str(v) for k, v in resources.get("requests", {}).items()},
            {k: str(v) for k, v in resources.get("limits", {}).items()},
            _probe_path(app.get("livenessProbe")), _probe_path(app.get("readinessProbe")))
    return out


def _probe_path(probe: Any) -> str | None:
    if not isinstance(probe, dict):
        return None
    get = probe.get("httpGet")
    return str(get.get("path", "/")) if isinstance(get, dict) else None


def _get(client: httpx.Client, path: str) -> dict[str, Any]:
    try:
        response = client.get(path)
    except httpx.HTTPError as exc:
        raise KubeError(f"GET {path}: {exc.__class__.__name__}: {exc}") from None
    if response.status_code != 200:
        raise KubeError(f"GET {path} answered {response.status_code}: "
                        f"{response.text[:200].strip()}")
    data = response.json()
    if not isinstance(data, dict):
        raise KubeError(f"GET {path} answered something that is not a Kubernetes list")
    return data


def _config_path(target: KubeTarget) -> Path:
    if target.kubeconfig is not None:
        return target.kubeconfig
    env = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    return Path(env) if env else Path.home() / ".kube" / "config"


def _named(entries: Any, name: str | None, what: str, path: Path) -> dict[str, Any]:
    for entry in entries or ():
        if isinstance(entry, dict) and entry.get("name") == name:
            return dict(entry.get(what) or {})
    raise KubeError(f"{path}: no {what} named {name!r}")


def _connection(target: KubeTarget) -> tuple[str, dict[str, Any]]:
    path = _config_path(target)
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KubeError(f"{path}: cannot read the kubeconfig ({exc})") from None
    if not isinstance(config, dict):
        raise KubeError(f"{path}: not a kubeconfig")
    name = target.context or config.get("current-context")
    if not name:
        raise KubeError(f"{path}: no current-context; pass --context")
    context = _named(config.get("contexts"), name, "context", path)
    cluster = _named(config.get("clusters"), context.get("cluster"), "cluster", path)
    user = _named(config.get("users"), context.get("user"), "user", path)
    server = str(cluster.get("server", "")).rstrip("/")
    if not server:
        raise KubeError(f"{path}: cluster {context.get('cluster')!r} has no server")
    base = path.parent
    tls = ssl.create_default_context()
    if cluster.get("insecure-skip-tls-verify"):
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
    elif cluster.get("certificate-authority-data"):
        tls.load_verify_locations(cadata=base64.b64decode(
            cluster["certificate-authority-data"]).decode())
    elif cluster.get("certificate-authority"):
        tls.load_verify_locations(cafile=str(base / cluster["certificate-authority"]))
    _client_cert(tls, user, base)
    headers = {}
    token = _token(user, base, path)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return server, {"verify": tls, "headers": headers}


def _client_cert(tls: ssl.SSLContext, user: dict[str, Any], base: Path) -> None:
    cert, key = user.get("client-certificate-data"), user.get("client-key-data")
    if cert and key:
        with tempfile.TemporaryDirectory() as tmp:  # ssl reads certificates from files only
            files = []
            for label, data in (("cert", cert), ("key", key)):
                f = Path(tmp) / label
                f.write_bytes(base64.b64decode(data))
                files.append(str(f))
            tls.load_cert_chain(files[0], files[1])
    elif user.get("client-certificate") and user.get("client-key"):
        tls.load_cert_chain(str(base / user["client-certificate"]), str(base / user["client-key"]))


def _token(user: dict[str, Any], base: Path, path: Path) -> str | None:
    if user.get("token"):
        return str(user["token"])
    if user.get("tokenFile"):
        return str((base / user["tokenFile"]).read_text(encoding="utf-8")).strip()
    plugin = user.get("exec")
    if not isinstance(plugin, dict):
        return None
    env = {**os.environ, **{e["name"]: e["value"] for e in plugin.get("env") or ()}}
    try:
        done = subprocess.run([plugin["command"], *(plugin.get("args") or ())], env=env,
                              capture_output=True, text=True, timeout=60, check=True)
        return str(json.loads(done.stdout)["status"]["token"])
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        raise KubeError(f"{path}: the user's exec plugin gave no token "
                        f"({exc.__class__.__name__})") from None
