"""Requests per second of the public pages against a floor, under gunicorn (not a test).

    .venv/bin/python bench/bench_site.py [--posts 1000] [--rounds 3] [--seconds 5]

A fresh SQLite database in a temporary folder gets N published posts (with tags, some
featured, some with an image), production settings (DEBUG off, hashed static files),
then gunicorn serves it with sync workers (2 x cores + 1) on 127.0.0.1. Each round
measures every page once, in turn (interleaved, so a slow moment of the machine hits all
of them alike), with `wrk` (Debian package) or, without it, a small threaded Python
loop. The floor is a bare Django view rendering a 20-item template through the same
middleware and server (bench/urls.py). The medians are printed as ratios to the floor.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
TARGETS = {"post": 0.5, "home": 0.4, "list": 0.4, "tag": 0.4, "feed": 0.25}

POPULATE = r"""
import datetime as dt, io, random
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from blog.models import Post

random.seed(4)
words = ("carrière freelance client projet devis facture marché compétence plateforme "
         "stratégie réseau profil mission contrat temps apprentissage code site web").split()
tags = [f"sujet-{n}" for n in range(40)] + ["freelancing", "carrière"]

def image(n):
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (n % 255, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(f"bench-{n}.jpg", buffer.getvalue(), content_type="image/jpeg")

now = timezone.now()
for n in range(COUNT):
    paragraphs = "\n\n".join(" ".join(random.choices(words, k=90)) for _ in range(6))
    extra = {"image": image(n), "image_alt": f"Image {n}"} if n % 10 == 0 else {}
    post = Post.objects.create(
        title=f"Article de banc d'essai numéro {n}",
        description=" ".join(random.choices(words, k=20)),
        body=f"## Partie un\n\n{paragraphs}\n\n## Partie deux\n\n{paragraphs}",
        status=Post.Status.PUBLISHED,
        featured=n % 50 == 0,
        pub_date=now - dt.timedelta(hours=n * 7),
        **extra,
    )
    post.tags.add("freelancing", *random.sample(tags, 3))
print(Post.objects.published().count())
"""


def say(line: str) -> None:
    """The benchmark's report goes to stdout (a script, not a library: T20 is about those)."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def measure_wrk(url: str, seconds: float, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure_python(url: str, seconds: float, connections: int) -> float:
    """Fallback without wrk: N threads with keep-alive connections, for a fixed time."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{url}: HTTP {response.status}")
            counts[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and round")
    args = parser.parse_args()

    workers = 2 * (os.cpu_count() or 1) + 1
    connections = workers * 2
    folder = Path(tempfile.mkdtemp(prefix="carnet-bench-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "CARNET_SERVE_MEDIA": "1",
        "PYTHONPATH": str(ROOT),
    }
    server = None
    try:
        say(f"Fresh database in {folder}: migrate, collectstatic, {args.posts} posts…")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        populate = f"COUNT = {args.posts}\n{POPULATE}"
        count = manage(env, "shell", stdin=populate).strip().splitlines()[-1]
        say(f"{count} published posts")

        port = free_port()
        gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
        server = subprocess.Popen(
            [
                gunicorn,
                "site_config.wsgi",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
        )
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        pages = {
            "floor": "/__floor__/",
            "home": "/",
            "list": "/blog/",
            "post": f"/blog/article-de-banc-dessai-numero-{args.posts // 2}/",
            "tag": "/tags/freelancing/",
            "feed": "/feed/",
        }
        for name, path in pages.items():  # warm up: renditions made, every worker loaded
            for _ in range(workers * 2):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise SystemExit(f"{name} {path}: HTTP {response.status}")

        tool = "wrk" if shutil.which("wrk") else "python"
        measure = measure_wrk if tool == "wrk" else measure_python
        say(
            f"gunicorn: {workers} sync workers, {connections} connections, {tool}, "
            f"{args.rounds} interleaved rounds of {args.seconds:g} s per page"
        )
        results: dict[str, list[float]] = {name: [] for name in pages}
        for round_number in range(1, args.rounds + 1):
            for name, path in pages.items():
                results[name].append(measure(base + path, args.seconds, connections))
            say(f"round {round_number}: " + ", ".join(
                f"{name} {values[-1]:.0f}" for name, values in results.items()))  # fmt: skip

        floor = statistics.median(results["floor"])
        say(f"\n{'page':<6} {'req/s':>8} {'ratio':>7} {'target':>7}")
        say(f"{'floor':<6} {floor:>8.0f} {1:>7.2f}")
        for name in TARGETS:
            rate = statistics.median(results[name])
            ratio = rate / floor
            verdict = "ok" if ratio >= TARGETS[name] else "BELOW"
            say(f"{name:<6} {rate:>8.0f} {ratio:>7.2f} {TARGETS[name]:>7.2f} {verdict}")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
