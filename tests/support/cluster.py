"""Carnet as it runs on several machines, on loopback: a PostgreSQL database, Redis, an S3 server
(moto), gunicorn app servers and nginx in front (deploy/nginx.conf), each started here on free
ports and stopped by ``Cluster.stop()`` whatever happened.

Used by tests/deploy/test_multinode.py and bench/bench_load.py. Plain standard library (plus
psycopg, and tests/support/s3.py for moto): nothing here imports Django, the nodes are processes
with their own settings read from the environment, as in production.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookies
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests.support.s3 import MotoServer, moto_missing

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python") if (BIN / "python").exists() else sys.executable
NGINX_SAMPLE = ROOT / "deploy" / "nginx.conf"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
SECRET_KEY = "multinode-" + "k" * 50
BUCKET = "carnet-media"
EDITOR = ("editrice", "mot-de-passe-solide-42")
# What the environment of the process running us may hold that a node must not inherit.
FOREIGN = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CARNET_", "AWS_")


def say(line: str) -> None:
    """Timings and progress, shown by ``pytest -s`` and printed by the benchmark."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )


def missing_parts(*, postgres: bool = True, redis: bool = True, s3: bool = True) -> list[str]:
    """What this machine lacks to run the cluster, each with how to get it."""
    missing = []
    if not nginx_binary():
        missing.append("nginx (apt-get install nginx)")
    if redis and not shutil.which("redis-server"):
        missing.append("redis-server (apt-get install redis-server)")
    if s3 and moto_missing():
        missing.append(moto_missing())
    if not (BIN / "gunicorn").exists():
        missing.append("gunicorn in .venv (make install)")
    if postgres:
        try:
            psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
        except psycopg.Error as error:
            missing.append(f"PostgreSQL at 127.0.0.1:5432, user postgres ({error})")
    return missing


# -- processes ---------------------------------------------------------------------------------


class Process:
    """A server in its own process group (so its workers go with it), its output in ``log``."""

    def __init__(self, name: str, args: list[str], *, log: Path, env: dict | None = None):
        self.name, self.args, self.log = name, args, log
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group, as a crashed machine: no worker finishes its request."""
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        if self.running:
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.signal(signal.SIGKILL)  # workers left behind by a master that died first

    def wait_for_port(self, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited at start:\n{self.output()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not listen on {port} in {timeout:g} s")


def run(args: list[str], *, env: dict | None = None, timeout: float = 300, stdin=None) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(args[:3])}… failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# -- HTTP, as a reader or an editor ---------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


def fetch(url: str, *, timeout: float = 30) -> Reply:
    """One GET of an absolute URL (an image at the bucket's address), no cookie."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


@dataclass
class Browser:
    """A person's HTTP client on one address (a node or nginx): cookies kept, no redirect
    followed. ``at(base)`` is the same person (same cookies) on another address."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    def at(self, base: str) -> Browser:
        return Browser(base, self.cookies, self.timeout)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Reply:
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for line in reply.headers.get_all("Set-Cookie") or ():
            for name, morsel in http.cookies.SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply

    def get(self, path: str, headers=None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict, files: dict | None = None, headers=None) -> Reply:
        """A form as a browser sends it; ``files``: name -> (file name, bytes, content type)."""
        headers = dict(headers or {})
        if files:
            boundary = uuid.uuid4().hex
            chunks = []
            for name, value in fields.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
            for name, (filename, content, content_type) in files.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            chunks.append(f"--{boundary}--\r\n".encode())
            body = b"".join(chunks)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, body=body, headers=headers)

    def csrf_token(self, path: str, headers=None) -> str:
        reply = self.get(path, headers=headers)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reply.text)
        if reply.status != 200 or not found:
            raise AssertionError(f"GET {self.base}{path}: {reply.status}, no CSRF token")
        return found.group(1)

    def log_in(self, username: str, password: str, headers=None) -> Reply:
        """The admin's login form: its CSRF token, then the POST (302 to /admin/ when it worked)."""
        token = self.csrf_token("/admin/login/", headers=headers)
        return self.post(
            "/admin/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            },
            headers=headers,
        )


def wait_for_http(url: str, timeout: float = 60, process: Process | None = None) -> Reply:
    """The first answer from ``url`` (gunicorn listens before its workers are ready)."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and not process.running:
            raise RuntimeError(f"{process.name} exited at start:\n{process.output()[-3000:]}")
        try:
            return fetch(url, timeout=timeout)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# -- the parts -------------------------------------------------------------------------------


def start_redis(folder: Path, name: str = "redis") -> tuple[Process, int]:
    port = free_port()
    process = Process(
        name,
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--protected-mode",
            "no",
        ],  # fmt: skip
        log=folder / f"{name}.log",
    )
    try:
        process.wait_for_port(port, timeout=20)
    except BaseException:
        process.stop()
        raise
    return process, port


def render(template: str, values: dict[str, str]) -> str:
    """envsubst with a list: only ``${NAME}`` of ``values`` is replaced; one left is an error."""
    text = re.sub(r"\$\{(CARNET_[A-Z_]+)\}", lambda m: values.get(m[1], m[0]), template)
    left = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", text)))
    if left:
        raise ValueError(f"{NGINX_SAMPLE}: no value for {', '.join(left)}")
    return text


@dataclass
class Node:
    name: str
    port: int
    media_root: Path
    env: dict
    process: Process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def media_files(self) -> list[Path]:
        return [path for path in self.media_root.rglob("*") if path.is_file()]


class Cluster:
    """The parts, started in order by ``start()``; ``stop()`` undoes whatever was started.

    ``postgres=False`` is the single-machine setup: a SQLite file, no Redis, media on disk
    served by the app (the benchmark's floor).
    """

    def __init__(
        self,
        *,
        postgres: bool = True,
        redis: bool = True,
        s3: bool = True,
        nodes: tuple[str, ...] = ("a", "b"),
        nginx: bool = True,
        workers: int = 2,
        env: dict | None = None,
    ):
        # s3: whether to start one, then the running MotoServer.
        self.postgres, self.redis, self.s3 = postgres, redis, s3
        self.node_names, self.with_nginx, self.workers = nodes, nginx, workers
        self.extra_env = env or {}
        self.folder = Path(tempfile.mkdtemp(prefix="carnet-cluster-"))
        self.stack = contextlib.ExitStack()
        self.stack.callback(shutil.rmtree, self.folder, ignore_errors=True)
        self.database = f"carnet_multinode_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.nodes: dict[str, Node] = {}
        self.timings: dict[str, float] = {}
        self.redis_port = None
        self.nginx_port = None
        self.nginx: Process | None = None

    # -- lifetime

    def start(self) -> Cluster:
        self._timed("database", self._start_database)
        if self.redis:
            self._timed("redis", self._start_redis)
        if self.s3:
            self._timed("s3", self._start_s3)
        self._timed("migrate + collectstatic + editor", self._prepare)
        self._timed("app servers", self._start_nodes)
        if self.with_nginx:
            self._timed("nginx", self._start_nginx)
        return self

    def stop(self) -> None:
        self.stack.close()

    def _timed(self, phase: str, step: Callable[[], None]) -> None:
        started = time.monotonic()
        step()
        self.timings[phase] = time.monotonic() - started
        say(f"[cluster] {phase}: {self.timings[phase]:.1f} s")

    # -- the shared parts

    @property
    def database_url(self) -> str:
        if self.postgres:
            return f"{POSTGRES}/{self.database}"
        return f"sqlite:///{self.folder / 'carnet.sqlite3'}"

    def _start_database(self) -> None:
        if not self.postgres:
            return
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        self.stack.callback(self._drop_database)

    def _drop_database(self) -> None:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Rows from the cluster's PostgreSQL database, as the nodes wrote them."""
        with psycopg.connect(self.database_url) as connection:
            return connection.execute(query, params).fetchall()

    def _start_redis(self) -> None:
        process, self.redis_port = start_redis(self.folder)
        self.stack.callback(process.stop)

    def _start_s3(self) -> None:
        server = self.stack.enter_context(MotoServer())
        server.create_bucket(BUCKET)
        self.s3 = server

    def base_env(self) -> dict:
        """What every node and command of this cluster reads: production settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
        env.update(
            DJANGO_SETTINGS_MODULE="site_config.settings",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            DJANGO_STATIC_ROOT=str(self.folder / "static"),
            # With S3 nothing should land on a disk: each node gets its own folder to prove it.
            # Without, commands and nodes share one, as they must (README, « Deploy »).
            DJANGO_MEDIA_ROOT=str(self.folder / ("media-commands" if self.s3 else "media")),
            CARNET_PROXY_COUNT="1" if self.with_nginx else "0",
            PYTHONPATH=str(ROOT),
        )
        if self.redis_port:
            env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        if isinstance(self.s3, MotoServer):
            env.update(
                CARNET_S3_BUCKET=BUCKET,
                AWS_S3_ENDPOINT_URL=self.s3.endpoint_url,
                AWS_ACCESS_KEY_ID=self.s3.access_key,
                AWS_SECRET_ACCESS_KEY=self.s3.secret_key,
                AWS_S3_REGION_NAME=self.s3.region,
            )
        else:
            env["CARNET_SERVE_MEDIA"] = "1"
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, stdin: str | None = None, env: dict | None = None) -> str:
        env = {**self.base_env(), **(env or {})}
        return run([PYTHON, "manage.py", *args], env=env, stdin=stdin)

    def _prepare(self) -> None:
        self.manage("migrate", "--noinput", "-v0")
        # Once, shared by every node, with DEBUG off: the manifest production storage needs.
        self.manage("collectstatic", "--noinput", "-v0")
        username, password = EDITOR
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import Group, User\n"
            f"user = User.objects.create_user({username!r}, {username + '@example.org'!r}, "
            f"{password!r}, is_staff=True)\n"
            "user.groups.add(Group.objects.get(name='Éditeur'))\n",
        )

    # -- app servers

    def _start_nodes(self) -> None:
        for name in self.node_names:
            self.start_node(name, wait=False)
        for node in self.nodes.values():
            self.wait_for_node(node)

    def start_node(self, name: str, *, port: int | None = None, env: dict | None = None,
                   workers: int | None = None, wait: bool = True) -> Node:  # fmt: skip
        """A gunicorn app server with its own empty MEDIA_ROOT; stopped with the cluster."""
        port = port or free_port()
        media_root = self.folder / (f"media-{name}" if self.s3 else "media")
        media_root.mkdir(exist_ok=True)
        node_env = {**self.base_env(), "DJANGO_MEDIA_ROOT": str(media_root), **(env or {})}
        config = ["-c", "gunicorn.conf.py"] if (ROOT / "gunicorn.conf.py").exists() else []
        args = [str(BIN / "gunicorn"), *config, "site_config.wsgi", "-b", f"127.0.0.1:{port}",
                "--workers", str(workers or self.workers)]  # fmt: skip
        process = Process(f"node {name}", args, log=self.folder / f"node-{name}.log", env=node_env)
        self.stack.callback(process.stop)
        node = Node(name, port, media_root, node_env, process)
        self.nodes[name] = node
        if wait:
            self.wait_for_node(node)
        return node

    def wait_for_node(self, node: Node) -> None:
        reply = wait_for_http(f"{node.url}/healthz", timeout=90, process=node.process)
        if reply.status >= 500:
            raise RuntimeError(
                f"node {node.name}: /healthz {reply.status} {reply.text[:500]}\n"
                f"{node.process.output()[-3000:]}"
            )

    def restart_node(self, name: str) -> Node:
        old = self.nodes[name]
        old.process.stop()
        return self.start_node(name, port=old.port)

    # -- nginx

    def _start_nginx(self) -> None:
        folder = self.folder / "nginx"
        for sub in ("logs", "cache", "media", "temp"):
            (folder / sub).mkdir(parents=True)
        self.nginx_port = free_port()
        nodes = list(self.nodes.values())
        site = render(
            NGINX_SAMPLE.read_text(),
            {
                "CARNET_LISTEN": f"127.0.0.1:{self.nginx_port}",
                "CARNET_SERVER_NAME": "127.0.0.1 localhost",
                "CARNET_UPSTREAM_A": nodes[0].address,
                "CARNET_UPSTREAM_B": nodes[-1].address,
                "CARNET_STATIC_ROOT": self.base_env()["DJANGO_STATIC_ROOT"],
                "CARNET_MEDIA_ROOT": str(folder / "media"),
                "CARNET_CACHE_DIR": str(folder / "cache"),
                "CARNET_LOG_DIR": str(folder / "logs"),
            },
        )
        (folder / "carnet.conf").write_text(site)
        temp = folder / "temp"
        # What Debian's /etc/nginx/nginx.conf gives the sites it includes, here in the temporary
        # folder. As root, the workers stay root: the default user (nobody) cannot read the
        # test's private temporary folders.
        main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
error_log {folder / "logs" / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {folder / "carnet.conf"};
}}
"""
        (folder / "nginx.conf").write_text(main)
        binary = nginx_binary()
        args = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")]
        run([*args, "-t", "-q", "-g", f"pid {folder / 'test.pid'};"])
        self.nginx = Process(
            "nginx",
            [*args, "-g", f"daemon off; pid {folder / 'nginx.pid'};"],
            log=folder / "logs" / "stderr.log",
        )
        self.stack.callback(self.nginx.stop)
        self.nginx.wait_for_port(self.nginx_port, timeout=20)

    @property
    def nginx_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def access_log(self, containing: str = "", count: int = 0, timeout: float = 5) -> list[str]:
        """nginx's access log lines with ``containing``; waits (a little) for ``count`` of them:
        nginx writes a line once the response has gone, the client may read it first."""
        path = self.folder / "nginx" / "logs" / "carnet.access.log"
        deadline = time.monotonic() + timeout
        while True:
            lines = path.read_text().splitlines() if path.exists() else []
            lines = [line for line in lines if containing in line]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


@contextlib.contextmanager
def running(**options) -> Iterator[Cluster]:
    cluster = Cluster(**options)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
