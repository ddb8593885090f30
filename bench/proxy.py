"""Two dashboard replicas behind Debian's nginx on loopback, with sticky sessions.

A Streamlit session lives in one server's memory, so every request of a tab (the page, its
static files and above all its websocket, including reconnects) must reach the same replica.
nginx's ``ip_hash`` would send a whole classroom behind one address (a school's NAT, or
loopback here) to one replica, so the proxy sticks by a cookie of its own instead: a first
request without it is hashed by a fresh random id, and the same id is set as the cookie, so
``hash $sticky consistent`` maps every later request of that browser to the same replica. If
that replica stops, nginx passes its requests to the other one (``proxy_next_upstream``):
those tabs start new sessions there, the others are untouched.

The response header ``X-Replica`` names the replica that answered (for the tests and the
benchmark; a deployment may drop it).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.browser import ROOT, app_server, stop, wait_until_healthy

STICKY_COOKIE = "modulex_replica"

NGINX_CONF = """\
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;

    # sticky sessions: the browser's cookie, or (first visit) a fresh id that becomes it
    map $cookie_{cookie} $sticky {{
        ""      $request_id;
        default $cookie_{cookie};
    }}
    # websockets: pass the upgrade through
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}
    upstream dashboard {{
        hash $sticky consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://dashboard;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1h;          # a quiet tab keeps its websocket
            proxy_next_upstream error timeout;
            add_header Set-Cookie "{cookie}=$sticky; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-Replica $upstream_addr always;
        }}
    }}
}}
"""


def nginx_path() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None
    )


def nginx_config(upstream_ports, port: int, work: Path) -> str:
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in upstream_ports
    )
    return NGINX_CONF.format(work=work, servers=servers, port=port, cookie=STICKY_COOKIE)


@contextmanager
def nginx(upstream_ports, port: int):
    """Run nginx in the foreground on 127.0.0.1:``port`` in front of ``upstream_ports``."""
    binary = nginx_path()
    if binary is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx")
    with tempfile.TemporaryDirectory(prefix="modulex-nginx-") as folder:
        work = Path(folder)
        (work / "nginx.conf").write_text(nginx_config(upstream_ports, port, work))
        command = [binary, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"]
        check = subprocess.run(command + ["-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
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
