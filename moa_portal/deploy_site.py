"""The reference nginx site (deploy/nginx/moa-portal.conf), rendered to run on loopback.

Why: the deploy tests and `make bench BENCH_NODES=2` run nginx in front of gunicorn, and what
they run must be the file as shipped, not a hand-written copy that drifts from it. Rendering
drops the port-80 redirect and TLS, puts the listening port and the folders in, and lists
every web node in the `upstream` block; everything else (proxy headers, timeouts, the static
and evidence locations) is the reference's own text.

As a command it writes a ready-to-run nginx folder (site.conf, nginx.conf, temp folders):
`python -m moa_portal.deploy_site --folder F --port 8080 --upstream 8001 --upstream 8002
--static-root S --evidence-root E`, then `nginx -p F -c F/nginx.conf`.
"""

from __future__ import annotations

import argparse
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

SITE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "moa-portal.conf"
MIB = 1024 * 1024
#: The reference's one upstream server line, replaced by one line per web node.
REFERENCE_UPSTREAM = "server 127.0.0.1:8000;"


def client_max_body_size(request_max_bytes: int) -> str:
    """The portal's whole-request limit in MiB, rounded up: nginx refuses what the portal would."""
    return f"{math.ceil(request_max_bytes / MIB)}m"


def render_site(
    text: str,
    *,
    port: int,
    upstreams: Sequence[int],
    static_root: Path,
    evidence_root: Path,
    max_bytes: int | None = None,
) -> str:
    """The reference site for loopback: no port-80 redirect, no TLS; ports and folders substituted.

    `upstreams`: the loopback ports of the web nodes (gunicorn), all in the one upstream block,
    so nginx spreads requests over them as a load balancer would. `max_bytes`: a
    REQUEST_MAX_BYTES other than the reference's (None keeps the file's value).
    """
    if REFERENCE_UPSTREAM not in text:
        raise ValueError(f"The reference site has no `{REFERENCE_UPSTREAM}` line to replace.")
    text = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", text, flags=re.S)
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    text = "\n".join(line for line in text.splitlines() if "ssl" not in line and "[::]:443" not in line)
    servers = "\n    ".join(f"server 127.0.0.1:{upstream};" for upstream in upstreams)
    text = text.replace(REFERENCE_UPSTREAM, servers)
    text = text.replace("/srv/moa-portal/static/", f"{static_root}/")
    text = text.replace("/srv/moa-portal/evidence/", f"{evidence_root}/")
    if max_bytes is not None:
        text = re.sub(
            r"client_max_body_size \S+;", f"client_max_body_size {client_max_body_size(max_bytes)};", text
        )
    return text


def write_nginx_folder(folder: Path, site: str) -> Path:
    """Write `site` and an nginx.conf around it into `folder` (its logs and temp files there too).

    Returns the nginx.conf to start with `nginx -p folder -c folder/nginx.conf`. nginx runs in
    the foreground (`daemon off`); as root its workers run as root, so they read the caller's
    folders.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(site)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    return conf


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render the reference nginx site for loopback.")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", type=int, action="append", required=True)
    parser.add_argument("--static-root", type=Path, required=True)
    parser.add_argument("--evidence-root", type=Path, required=True)
    args = parser.parse_args(argv)
    site = render_site(
        SITE.read_text(),
        port=args.port,
        upstreams=args.upstream,
        static_root=args.static_root.resolve(),
        evidence_root=args.evidence_root.resolve(),
    )
    print(write_nginx_folder(args.folder.resolve(), site))


if __name__ == "__main__":
    main()
