"""A classroom's dashboard: ``python -m app.serve`` starts replicas behind nginx.

One Streamlit process runs every session's script on one interpreter lock, so it serves at
most one core's worth of pen lifts, and on a machine shared with other work the scheduler gives
one process one share of the cores. ``python -m app.serve --replicas 2 --port 8501`` starts
``streamlit run app/main.py`` on ports 8502 and 8503 (127.0.0.1 only) and Debian's nginx on
port 8501 in front of them; open ``http://<this machine>:8501/``. Ctrl-C stops them all.

A session lives in one replica's memory, so every request of a tab (the page, its static
files and above all its websocket, reconnects included) must reach the same replica. nginx's
``ip_hash`` would send a whole classroom behind one address (a school's NAT) to one replica,
so the proxy sticks by a cookie of its own instead: a first request without it is hashed by a
fresh random id, and the same id is set as the cookie, so ``hash $sticky consistent`` maps
every later request of that browser to the same replica. If a replica stops, nginx passes its
requests to the others (``proxy_next_upstream``): those tabs start new sessions there, the
others are untouched. The response header ``X-Replica`` names the replica that answered.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
        listen {address}:{port};
        client_max_body_size 6m;        # an upload: 5 MB (.streamlit/config.toml) and its form
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


def nginx_config(upstream_ports, port: int, work: Path, address: str = "127.0.0.1") -> str:
    """nginx's configuration: ``address:port`` in front of the replicas on ``upstream_ports``
    (127.0.0.1), its files in ``work``."""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in upstream_ports
    )
    return NGINX_CONF.format(
        work=work, servers=servers, address=address, port=port, cookie=STICKY_COOKIE
    )


def nginx_command(work: Path) -> list[str]:
    """nginx in the foreground on the configuration written to ``work/nginx.conf``; raises
    RuntimeError when nginx is missing or refuses the configuration."""
    binary = nginx_path()
    if binary is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx")
    command = [binary, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"]
    check = subprocess.run(command + ["-t"], capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
    return command


def streamlit_command(port: int) -> list[str]:
    """One replica: the dashboard on 127.0.0.1:``port`` (.streamlit/config.toml applies)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app" / "main.py"),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
    ]


def _healthy(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def serve(replicas: int, port: int, address: str) -> int:
    ports = [port + 1 + number for number in range(replicas)]
    processes: list[subprocess.Popen] = []
    stopping = []

    def stop(*_):
        stopping.append(True)

    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="modulex-nginx-") as folder:
        work = Path(folder)
        try:
            (work / "nginx.conf").write_text(nginx_config(ports, port, work, address))
            command = nginx_command(work)
            processes += [subprocess.Popen(streamlit_command(p), cwd=ROOT) for p in ports]
            for replica in ports:
                if not _healthy(f"http://127.0.0.1:{replica}", 120):
                    print(f"replica on port {replica} did not start", file=sys.stderr)
                    return 1
            processes.append(subprocess.Popen(command))
            local = "127.0.0.1" if address == "0.0.0.0" else address
            if not _healthy(f"http://{local}:{port}", 30):
                print(f"nginx did not answer on port {port}", file=sys.stderr)
                return 1
            shown = "localhost" if address in ("0.0.0.0", "127.0.0.1") else address
            print(
                f"ModuleX dashboard: http://{shown}:{port}/ ({replicas} replicas, Ctrl-C stops)",
                flush=True,
            )
            while not stopping and all(p.poll() is None for p in processes[-1:]):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.serve", description=__doc__)
    parser.add_argument("--replicas", type=int, default=2, help="dashboard processes (2)")
    parser.add_argument("--port", type=int, default=8501, help="nginx's port (8501)")
    parser.add_argument(
        "--address", default="0.0.0.0", help="where nginx listens (0.0.0.0: the whole network)"
    )
    args = parser.parse_args(argv)
    return serve(args.replicas, args.port, args.address)


if __name__ == "__main__":
    sys.exit(main())
