"""CPU time of the uncached public pages, in-process, against the template floor (not a test).

    .venv/bin/python bench/bench_pages.py [--posts 1000 10000] [--requests 40] [--rounds 5]
        [--database-url postgres://postgres@127.0.0.1:5432] [--pages list,home]
        [--keep /tmp/carnet-bench-pages] [--profile list]

The same sites as ``bench_site.py`` (its generator: N published posts, tags, one in ten with
an image), production settings, ``CARNET_PAGE_CACHE_SECONDS=0``; each page is asked of Django's
``WSGIHandler`` (the whole middleware stack, as gunicorn calls it) in this one process, so the
figures are the process's CPU time (``time.process_time``) and hardly move when other
processes share the machine, unlike requests per second through a server. Best of the rounds,
ms per request, and the ratio floor ÷ page (as ``bench_site.py``'s req/s ratios). On
PostgreSQL, the database server's work is not in the CPU time: on a server of this machine its
backend's CPU time is read from /proc (``db ms``, and ``all``: both CPU times against the
floor's); the wall-clock figure holds it too (and the machine's noise). ``--keep`` keeps each
size's database (SQLite file and media in that folder, or PostgreSQL database
``carnet_bench_pages_<N>``) for the next run;
``--profile PAGE`` prints cProfile's top functions for that page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_site import BULK_ABOVE, POPULATE, PYTHON, manage, say  # noqa: E402

TARGETS = {"post": 0.4, "list": 0.3, "home": 0.3, "tag": 0.3, "archive": 0.3, "feed": 0.3}
TARGETS.update(search=0.2, tags=None, sitemap=None)


def pages(size: int, year: str) -> dict[str, str]:
    return {
        "home": "/",
        "list": "/blog/",
        "list p50": "/blog/?page=50",
        "post": f"/blog/article-de-banc-dessai-numero-{size // 2}/",
        "tag": "/tags/freelancing/",
        "archive": f"/archive/{year}/",
        "feed": "/feed/",
        "search": "/search/?q=client",
    }


INNER = r"""
import cProfile, os, pstats, statistics, sys, time
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

handler = WSGIHandler()
factory = RequestFactory()

def call(path):
    environ = factory.get(path, HTTP_HOST="127.0.0.1").environ
    status = []
    body = handler(environ, lambda s, h, exc_info=None: status.append(s))
    data = b"".join(body)
    body.close()
    if not status[0].startswith("200"):
        raise SystemExit(f"{path}: {status[0]}")
    return data

def server_cpu():
    # (pid, CPU ms) of the PostgreSQL backend serving this process, when the server runs on
    # this machine (its /proc entry readable); (None, 0) otherwise.
    if connection.vendor != "postgresql":
        return None, 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None, 0.0
    return pid, (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

def timed(path):
    cpu, wall, db = [], [], []
    for _ in range(ROUNDS):
        pid, db_started = server_cpu()
        started, started_wall = time.process_time(), time.perf_counter()
        for _ in range(REQUESTS):
            call(path)
        cpu.append((time.process_time() - started) * 1000 / REQUESTS)
        wall.append((time.perf_counter() - started_wall) * 1000 / REQUESTS)
        pid_after, db_ended = server_cpu()
        if pid is not None and pid == pid_after:  # (a connection replaced: not counted)
            db.append((db_ended - db_started) / REQUESTS)
    return min(cpu), min(wall), (min(db) if db else 0.0)

runs = {"floor": "/__floor__/", "tiny": "/__tiny__/", **PAGES}
for path in runs.values():  # warm up: renditions made, templates loaded, archive links kept
    for _ in range(3):
        call(path)
figures = {name: timed(path) for name, path in runs.items()}
for name, (cpu, wall, db) in figures.items():
    print(f"RESULT {name}|{cpu:.3f}|{wall:.3f}|{db:.3f}")
if PROFILE:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(REQUESTS):
        call(PAGES[PROFILE])
    profile.disable()
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
"""


def prepare(args, size: int, folder: Path) -> dict:
    """Environment for one size's site, its database made and filled unless kept."""
    folder.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        parts = urlsplit(args.database_url)
        name = f"carnet_bench_pages_{size}"
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        url = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        name, url = None, f"sqlite:///{folder / 'bench.sqlite3'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "CARNET_PAGE_CACHE_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    made = folder / "made"
    if not made.exists():
        if name:
            for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
                subprocess.run(["psql", admin_url, "-q", "-c", sql], check=True)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        populate = f"COUNT = {size}\nBULK = {size > BULK_ABOVE}\n{POPULATE}"
        out = manage(env, "shell", stdin=populate).strip().splitlines()[-1]
        if name:  # what autovacuum would do (off on this machine's server: Database.settle)
            subprocess.run(["psql", url, "-q", "-c", "VACUUM ANALYZE"], check=True)
        made.write_text(out.split()[1])
    else:
        manage(env, "migrate", "--noinput", "-v0")
    env["BENCH_YEAR"] = made.read_text()
    env["BENCH_DROP"] = f"{admin_url}|{name}" if name else ""
    return env


def measure(args, size: int, env: dict) -> dict[str, tuple[float, float, float]]:
    site = pages(size, env["BENCH_YEAR"])
    if args.pages:
        site = {name: path for name, path in site.items() if name in args.pages}
    script = (
        f"PAGES = {site!r}\nROUNDS = {args.rounds}\nREQUESTS = {args.requests}\n"
        f"PROFILE = {args.profile!r}\n{INNER}"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", "shell"],
        cwd=ROOT,
        env=env,
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"measuring failed:\n{result.stdout}\n{result.stderr}")
    figures = {}
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            name, cpu, wall, db = line.removeprefix("RESULT ").split("|")
            figures[name] = (float(cpu), float(wall), float(db))
        elif args.profile:
            say(line)
    return figures


def report(size: int, engine: str, figures: dict[str, tuple[float, float, float]]) -> None:
    """The process's CPU and wall time, and on a PostgreSQL server of this machine its backend's
    CPU time too (``db ms``: parsing, planning, running the page's statements), which the
    process's CPU time leaves out; ``all`` is the ratio of both CPU times added (the 2-core
    machine runs both). The backend's time is read from /proc in clock ticks (10 ms): over a
    round of 40 requests, ±0.25 ms a request."""
    floor_cpu, floor_wall, floor_db = figures["floor"]
    server = any(db for _, _, db in figures.values())
    load = os.getloadavg()[0]
    say(f"\n{size} posts, {engine} (load average {load:.1f}); floor {floor_cpu:.2f} ms CPU")
    head = f"{'page':<10} {'CPU ms':>8} {'ratio':>6} {'wall ms':>8} {'ratio':>6}"
    say(head + (f" {'db ms':>6} {'all':>6}" if server else "") + f" {'target':>7}")
    for name, (cpu, wall, db) in figures.items():
        if name == "floor":
            continue
        target = TARGETS.get(name.split()[0])
        verdict = "" if target is None else ("ok" if floor_cpu / cpu >= target else "BELOW")
        target_text = "" if target is None else f"{target:.2f}"
        both = f" {db:>6.2f} {(floor_cpu + floor_db) / (cpu + db):>6.3f}" if server else ""
        say(
            f"{name:<10} {cpu:>8.2f} {floor_cpu / cpu:>6.3f} {wall:>8.2f} "
            f"{floor_wall / wall:>6.3f}{both} {target_text:>7} {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="per round and page")
    parser.add_argument("--database-url", help="a PostgreSQL server: a database is made there")
    parser.add_argument("--pages", type=lambda text: text.split(","), help="e.g. list,home")
    parser.add_argument("--keep", type=Path, help="keep the sites in this folder for next time")
    parser.add_argument("--profile", help="a page to profile with cProfile, e.g. list")
    args = parser.parse_args()

    engine = "PostgreSQL" if args.database_url else "SQLite"
    results = {}
    for size in args.posts:
        base = args.keep or Path(tempfile.mkdtemp(prefix="carnet-bench-pages-"))
        folder = base / f"{engine.lower()}-{size}"
        say(f"== {size} posts, {engine}")
        env = prepare(args, size, folder)
        try:
            results[size] = measure(args, size, env)
        finally:
            if not args.keep:
                if env["BENCH_DROP"]:
                    admin_url, name = env["BENCH_DROP"].split("|")
                    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    subprocess.run(["psql", admin_url, "-q", "-c", drop], check=True)
                shutil.rmtree(base, ignore_errors=True)
        report(size, engine, results[size])
    if len(results) > 1:
        small, large = (results[size] for size in (min(results), max(results)))
        say(f"\n{max(results)} posts against {min(results)} (CPU, each against its own floor):")
        for name in small:
            if name != "floor" and name in large:
                ratio = (large["floor"][0] / small["floor"][0]) * (small[name][0] / large[name][0])
                say(f"{name:<10} {ratio:>6.2f} {'ok' if ratio >= 0.8 else 'SLOWER'}")


if __name__ == "__main__":
    main()
