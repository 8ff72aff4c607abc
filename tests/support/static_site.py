"""Helpers for the static site's tests: building it, reading it as a host would, serving it.

The links are read by an HTML parser of the test's own (html.parser), not by the build's
regular expressions: a link the build missed is then a broken link here.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import time_machine
from django.core.management import call_command

from tests.support import required
from tests.support.factories import make_post

ROOT = Path(__file__).resolve().parents[2]
NGINX_SAMPLE = ROOT / "deploy" / "nginx-static.conf"
ORIGIN = "https://carnet.example"
# The instant the built-site tests run at (their clock frozen there).
SITE_NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)


def build(outdir: Path, *args: str, base_url: str = ORIGIN) -> tuple[str, str]:
    """(stdout, stderr) of build_static; it raises CommandError on failure."""
    out, err = StringIO(), StringIO()
    call_command("build_static", str(outdir), *args, base_url=base_url, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def changed(stdout: str) -> dict[str, set[str]]:
    """{"written": {...}, "deleted": {...}} from a build's -v 2 output."""
    found: dict[str, set[str]] = {"written": set(), "deleted": set()}
    for line in stdout.splitlines():
        label, _, name = line.partition(": ")
        if label in found:
            found[label].add(name)
    return found


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "action"):
                self.links.append(value)
            elif name == "srcset":
                self.links += [part.strip().split()[0] for part in value.split(",") if part.strip()]


def html_links(text: str) -> list[str]:
    parser = _Links()
    parser.feed(text)
    return parser.links


def css_links(text: str) -> list[str]:
    return [m.strip("'\"") for m in re.findall(r"url\(\s*([^)]*?)\s*\)", text)]


def address_of(relative: str, paginated: set[str]) -> str:
    """The live address a file of the output holds (blog/page/2/index.html -> /blog/?page=2)."""
    path = "/" + relative.removesuffix("index.html")
    match = re.fullmatch(r"(.*/)page/(\d+)/", path)
    if match and match.group(1) in paginated:
        return f"{match.group(1)}?page={match.group(2)}"
    return path


def file_of(root: Path, address: str, paginated: set[str]) -> Path | None:
    """The file a static host serves for ``address`` (with the ?page= rule), or None."""
    parts = urlsplit(address)
    path = unquote(parts.path)
    if parts.query:
        match = re.fullmatch(r"page=(\d+)", parts.query)
        if not match or path not in paginated:
            return None
        path = f"{path}page/{match.group(1)}/"
    target = root / path.lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def paginated_lists(root: Path) -> set[str]:
    """The lists whose ?page=N the _redirects file maps to files."""
    text = (root / "_redirects").read_text(encoding="utf-8")
    return {unquote(m) for m in re.findall(r"^(\S+) page=:n ", text, re.M)}


def internal(link: str, base: str, origin: str = ORIGIN) -> str | None:
    if link.startswith(("mailto:", "tel:", "data:", "#")):
        return None
    absolute = urljoin(origin + base, link)
    parts = urlsplit(absolute)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FolderServer:
    """A plain static host (Python's http.server): files only, no rules at all."""

    def __init__(self, root: Path):
        handler = partial(_QuietHandler, directory=str(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".css": "text/css",
        ".pagefind": "application/wasm",
    }

    def log_message(self, *args):
        pass


def nginx_path() -> str | None:
    return (
        os.environ.get("CARNET_NGINX")
        or shutil.which("nginx")
        or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    )


def skip_without_nginx() -> str:
    found = nginx_path()
    if not found:
        required.skip_or_fail(
            "BROWSER", "nginx not found (apt-get install nginx, or set CARNET_NGINX)"
        )
    return found


class Nginx:
    """nginx serving ``root`` with deploy/nginx-static.conf, on a free loopback port."""

    def __init__(self, root: Path):
        binary = skip_without_nginx()
        self.folder = Path(tempfile.mkdtemp(prefix="carnet-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        site = NGINX_SAMPLE.read_text(encoding="utf-8")
        site = site.replace("/srv/carnet/site", str(root)).replace(
            "listen 80;", f"listen 127.0.0.1:{self.port};"
        )
        (self.folder / "site.conf").write_text(site, encoding="utf-8")
        temp = " ".join(
            f"{kind}_temp_path {self.folder / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.folder / "nginx.conf").write_text(
            # The workers run as this user (root's nginx would switch to nobody, who cannot
            # read the test's private temporary folders).
            f"user {getpass.getuser()};\nworker_processes 1;\npid {self.folder / 'nginx.pid'};\n"
            f"error_log {self.folder / 'error.log'};\ndaemon off;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n {temp}\n"
            f" include {self.folder / 'site.conf'};\n}}\n",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.folder),
                "-c",
                str(self.folder / "nginx.conf"),
                "-e",
                str(self.folder / "error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not listen within 10 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


class BuiltSite:
    """A TestCase mixin: ``POSTS`` posts (tags alternating python/django, one every 40 days
    before SITE_NOW) built once into ``self.out`` in setUp, the clock frozen at SITE_NOW
    (``self.clock`` moves it). Goes before TemporaryFolders, whose setUp gives ``self.tmp_path``."""

    POSTS = 12

    def setUp(self):

        super().setUp()
        self.clock = self.enterContext(time_machine.travel(SITE_NOW, tick=False))
        self.posts = [
            make_post(
                title=f"Billet {n}",
                tags=["python" if n % 2 else "django"],
                pub_date=SITE_NOW - dt.timedelta(days=40 * n + 1),
            )
            for n in range(self.POSTS)
        ]
        self.out = self.tmp_path / "site"
        build(self.out)
