"""Dashboard replicas behind Debian's nginx on loopback, for the tests and the load benchmark.

The configuration is the one ``python -m app.serve`` runs (app/serve.py: sticky sessions by a
cookie of the proxy's own, websockets passed through, ``X-Replica`` naming the replica that
answered); here the replicas are started by bench.browser.app_server (their logs in temporary
files, on the ports the caller chooses).
"""

from __future__ import annotations

import subprocess
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from app import serve
from bench.browser import ROOT, app_server, stop, wait_until_healthy

STICKY_COOKIE = serve.STICKY_COOKIE
nginx_path = serve.nginx_path
nginx_config = serve.nginx_config


@contextmanager
def nginx(upstream_ports, port: int):
    """Run nginx in the foreground on 127.0.0.1:``port`` in front of ``upstream_ports``."""
    with tempfile.TemporaryDirectory(prefix="modulex-nginx-") as folder:
        work = Path(folder)
        (work / "nginx.conf").write_text(nginx_config(upstream_ports, port, work))
        command = serve.nginx_command(work)
        process = subprocess.Popen(command, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(url, process, 30, lambda: _startup_failure(url, work))
            yield url
        finally:
            stop(process, timeout=10)


def _startup_failure(url: str, work: Path) -> str:
    log = (work / "error.log").read_text() if (work / "error.log").is_file() else ""
    return f"nginx did not answer on {url}:\n{log[-2000:]}"


@contextmanager
def replicas_behind_nginx(replica_ports, port: int, env: dict | None = None):
    """Start one dashboard per port and nginx in front; yield (the proxy's URL, the replicas'
    server URLs, each with ``.pid``)."""
    with ExitStack() as stack:
        servers = [
            stack.enter_context(app_server(ROOT / "app" / "main.py", env=env, port=p))
            for p in replica_ports
        ]
        url = stack.enter_context(nginx(replica_ports, port))
        yield url, servers
