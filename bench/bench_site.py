"""Requests per second of the public pages against two floors, under gunicorn (not a test).

    .venv/bin/python bench/bench_site.py [--posts 1000 10000] [--rounds 3] [--seconds 5]
        [--database-url postgres://postgres@127.0.0.1:5432] [--pages list,search] [--no-admin]

For each size, a fresh database (SQLite in a temporary folder, or a fresh PostgreSQL database
on the server ``--database-url`` names, dropped afterwards) gets N published posts (tags, some
featured, one in ten with an image), production settings (DEBUG off, hashed static files),
then two gunicorn servers serve it with sync workers (2 x cores + 1): one with the page cache
(``CARNET_PAGE_CACHE_SECONDS`` default) and one without (``=0``). Every size's servers run at
once: each round measures every page once, in turn, and each page for every size one after
the other (interleaved, so a slow moment of the machine hits all of them, and both sizes,
alike), with `wrk` (Debian package) or, without it, a small threaded Python loop. The floors,
measured in the same run through the same middleware and server (bench/urls.py): a bare
Django view rendering a 20-item template (pages are compared with it) and a bare
``HttpResponse`` (cached hits and 304s are compared with it). Medians are printed as ratios to
the floors, then the admin's change list, live preview and save, timed in-process (ms and
queries).

Up to 2,000 posts are made one by one with ``Post.objects.create`` (every save as the admin
does it); above, in bulk (40 bodies rendered once, rows and tag links inserted by batch):
10,000 posts take about a minute instead of twenty.
"""

from __future__ import annotations

import argparse
import contextlib
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
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
# Uncached pages, as a ratio to the template floor (issue 13's goals).
TARGETS = {
    "post": 0.4,
    "home": 0.3,
    "list": 0.3,
    "tag": 0.3,
    "archive": 0.3,
    "feed": 0.3,
    "search": 0.2,
    "tags": None,
    "sitemap": None,
    "sitemap-posts": None,
}
# A cached hit and a 304, as a ratio to the tiny floor.
HIT_TARGETS = {"hit": 0.5, "304": 0.6}
# A line of the in-process timings (ADMIN below): label, wall ms, CPU ms, queries.
IN_PROCESS = re.compile(r"(.+?)\s+([\d.]+) ms\s+([\d.]+) ms cpu\s+(\d+) queries")
BULK_ABOVE = 2000

POPULATE = r"""
import datetime as dt, io, random
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from taggit.models import Tag
from blog.models import Post, TaggedPost
from blog.text import ascii_slugify

random.seed(4)
words = ("carrière freelance client projet devis facture marché compétence plateforme "
         "stratégie réseau profil mission contrat temps apprentissage code site web").split()
tags = [f"sujet-{n}" for n in range(40)] + ["freelancing", "carrière"]

def image_bytes(n):
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (n % 255, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()

def body():
    paragraphs = "\n\n".join(" ".join(random.choices(words, k=90)) for _ in range(6))
    return f"## Partie un\n\n{paragraphs}\n\n## Partie deux\n\n{paragraphs}"

now = timezone.now()
if not BULK:
    for n in range(COUNT):
        extra = {}
        if n % 10 == 0:
            extra = {"image": SimpleUploadedFile(f"bench-{n}.jpg", image_bytes(n),
                     content_type="image/jpeg"), "image_alt": f"Image {n}"}
        post = Post.objects.create(
            title=f"Article de banc d'essai numéro {n}",
            description=" ".join(random.choices(words, k=20)),
            body=body(),
            status=Post.Status.PUBLISHED,
            featured=n % 50 == 0,
            pub_date=now - dt.timedelta(hours=n * 7),
            **extra,
        )
        post.tags.add("freelancing", *random.sample(tags, 3))
else:
    # The same shapes, inserted in bulk: 40 bodies rendered once (prepare(): the save()
    # pipeline), then rows and tag links by batch; the search triggers index them as usual.
    rendered = []
    for v in range(40):
        model = Post(title="x", slug="x", body=body())
        model.prepare()
        rendered.append(model)
    tag_ids = {}
    for name in tags:
        tag, _ = Tag.objects.get_or_create(name=name, defaults={"slug": ascii_slugify(name)})
        tag_ids[name] = tag.id
    batch = 1000
    for first in range(0, COUNT, batch):
        with transaction.atomic():
            rows = []
            for n in range(first, min(COUNT, first + batch)):
                model = rendered[n % len(rendered)]
                title = f"Article de banc d'essai numéro {n}"
                extra = {}
                if n % 10 == 0:
                    name = default_storage.save(f"posts/bench-{n}.jpg",
                                                ContentFile(image_bytes(n)))
                    extra = {"image": name, "image_alt": f"Image {n}",
                             "image_width": 1600, "image_height": 900}
                rows.append(Post(
                    title=title, slug=ascii_slugify(title),
                    description=" ".join(random.choices(words, k=20)),
                    body=model.body, body_html=model.body_html, body_text=model.body_text,
                    reading_time=model.reading_time,
                    status=Post.Status.PUBLISHED, featured=n % 50 == 0,
                    pub_date=now - dt.timedelta(hours=n * 7), **extra,
                ))
            made = Post.objects.bulk_create(rows)
            links = []
            for post in made:
                for name in dict.fromkeys(["freelancing", *random.sample(tags, 3)]):
                    links.append(TaggedPost(content_object_id=post.id, tag_id=tag_ids[name]))
            TaggedPost.objects.bulk_create(links)
# Every post by the site's author, as an import or the admin makes them (one author: the
# public pages show no bylines, as before authors existed; the admin lists and filters them).
from blog.models import PostAuthor, site_author
author = site_author()
PostAuthor.objects.bulk_create(
    [PostAuthor(post_id=pk, author=author) for pk in Post.objects.values_list("pk", flat=True)],
    batch_size=1000, ignore_conflicts=True,
)
middle = Post.objects.published().get(slug=f"article-de-banc-dessai-numero-{COUNT // 2}")
print(Post.objects.published().count(), middle.pub_date.year)
"""

# In-process with the test client: the admin's change list (first page, a search, sorted by
# title), the editor's live preview and saving a post, then the public pages whose cost grew
# with the posts (tag index, sitemap index and its first file of posts), without the page
# cache; wall and CPU ms (median of 5) and queries.
ADMIN = r"""
import statistics, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from blog.models import Post

user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x" * 20)
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
post = Post.objects.get(slug=f"article-de-banc-dessai-numero-{COUNT // 2}")

def form(**changes):
    local = timezone.localtime(post.pub_date)
    data = {
        "title": post.title, "slug": post.slug, "description": post.description,
        "body": post.body, "language": post.language, "tags": "freelancing, banc",
        "status": post.status, "pub_date_0": local.strftime("%d/%m/%Y"),
        "pub_date_1": local.strftime("%H:%M:%S"), "image_alt": post.image_alt,
        "redirects-TOTAL_FORMS": "0", "redirects-INITIAL_FORMS": "0",
        "author_links-TOTAL_FORMS": "0", "author_links-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data

def timed(label, call, expect):
    times, cpu, queries = [], [], 0
    for n in range(5):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = call(n)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != expect:
            print(f"{label}: HTTP {response.status_code} (expected {expect})")
            return
        queries = len(captured)
    print(f"{label:<28} {statistics.median(times):8.1f} ms {statistics.median(cpu):8.1f} ms cpu"
          f" {queries:5d} queries")

change = f"/admin/blog/post/{post.pk}/change/"
timed("admin change list", lambda n: client.get("/admin/blog/post/"), 200)
timed("admin change list ?q=", lambda n: client.get("/admin/blog/post/?q=client"), 200)
timed("admin change list ?o=1", lambda n: client.get("/admin/blog/post/?o=1"), 200)
timed("admin change form", lambda n: client.get(change), 200)
timed("live preview round trip", lambda n: client.post(
    f"/admin/blog/post/{post.pk}/preview/", form(body=post.body + f"\n\nAjout {n}")), 200)
timed("save a post", lambda n: client.post(change, form(body=post.body + f"\n\nAjout {n}")), 302)
reader = Client(HTTP_HOST="127.0.0.1")
with override_settings(CARNET_PAGE_CACHE_SECONDS=0):
    for label, path in [("tag index", "/tags/"), ("sitemap index", "/sitemap.xml"),
                        ("sitemap of posts (first)", "/sitemap-posts.xml")]:
        timed(label, lambda n, path=path: reader.get(path), 200)
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


def measure_wrk(url: str, seconds: float, connections: int, headers: dict) -> float:
    extra = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure_python(url: str, seconds: float, connections: int, headers: dict) -> float:
    """Fallback without wrk: N threads with keep-alive connections, for a fixed time."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status not in (200, 304):
                raise SystemExit(f"{url}: HTTP {response.status}")
            counts[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    return response


def drain(port: int, workers: int) -> None:
    """Wait until every worker is free: wrk stops sending, not the server answering."""
    threads = [threading.Thread(target=get, args=(port, "/__tiny__/")) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class Database:
    """A fresh database for one run: a SQLite file in ``folder``, or a PostgreSQL database
    made on the server of ``server_url`` (and dropped by ``drop``)."""

    def __init__(self, folder: Path, server_url: str | None, size: int):
        self.server_url = server_url
        if server_url:
            parts = urlsplit(server_url)
            self.name = f"carnet_bench_{os.getpid()}_{size}"
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.psql(f"DROP DATABASE IF EXISTS {self.name}")
            self.psql(f"CREATE DATABASE {self.name}")
        else:
            self.url = f"sqlite:///{folder / 'bench.sqlite3'}"

    def psql(self, sql: str) -> None:
        subprocess.run(["psql", self.admin_url, "-q", "-c", sql], check=True, capture_output=True)

    def settle(self) -> None:
        """What autovacuum does within a minute of a bulk load on a normal server: statistics
        for the planner, the visibility map for index-only scans. This machine's server runs
        with autovacuum off: without it the planner took the new tables for empty (one row)
        and sorted every published post, each with its body's excerpt, to show ten (home,
        lists and tags at 10,000 posts: 160-390 ms a page instead of 15-50)."""
        if self.server_url:
            subprocess.run(["psql", self.url, "-q", "-c", "VACUUM ANALYZE"], check=True)

    def drop(self) -> None:
        if self.server_url:
            self.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def start_server(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "site_config.wsgi",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
            # gunicorn.conf.py (read from the working directory) logs every request: not here.
            "--access-logfile",
            "/dev/null",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    wait_for(port)
    return server, port


class Site:
    """One size's site: a fresh database filled with posts, and its two servers (with and
    without the page cache), warmed up; ``runs`` are the (name, port, path, headers) to time."""

    def __init__(self, args, size: int, workers: int, stack: contextlib.ExitStack):
        self.size, self.workers = size, workers
        folder = Path(tempfile.mkdtemp(prefix="carnet-bench-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        database = Database(folder, args.database_url, size)
        stack.callback(database.drop)
        self.env = env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database.url,
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "CARNET_SERVE_MEDIA": "1",
            "PYTHONPATH": str(ROOT),
        }
        engine = "PostgreSQL" if args.database_url else "SQLite"
        say(f"\n== {size} posts, {engine}: migrate, collectstatic, posts…")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        started = time.monotonic()
        populate = f"COUNT = {size}\nBULK = {size > BULK_ABOVE}\n{POPULATE}"
        count, year = manage(env, "shell", stdin=populate).strip().splitlines()[-1].split()
        database.settle()
        say(f"{count} published posts in {time.monotonic() - started:.0f} s")
        self.runs: dict[str, tuple[int, str, dict]] = {}  # name: (port, path, headers)
        if args.no_servers:
            return
        cached_port = self.serve(env, stack)
        uncached_port = self.serve({**env, "CARNET_PAGE_CACHE_SECONDS": "0"}, stack)
        site = {
            "home": "/",
            "list": "/blog/",
            "post": f"/blog/article-de-banc-dessai-numero-{size // 2}/",
            "tag": "/tags/freelancing/",
            "archive": f"/archive/{year}/",
            "feed": "/feed/",
            "search": "/search/?q=client",
            "tags": "/tags/",
            "sitemap": "/sitemap.xml",
            "sitemap-posts": "/sitemap-posts.xml",
        }
        if args.pages:
            site = {name: path for name, path in site.items() if name in args.pages}
        etag = get(cached_port, site.get("post", "/")).getheader("ETag")
        runs = [
            ("floor", cached_port, "/__floor__/", {}),
            ("tiny", cached_port, "/__tiny__/", {}),
        ]
        for name, path in site.items():
            runs.append((f"{name} uncached", uncached_port, path, {}))
            if name != "search":  # a search is never kept (blog.public.caching.cache_variant)
                runs.append((f"{name} cached", cached_port, path, {}))
        runs.append(("hit", cached_port, site.get("post", "/"), {}))
        runs.append(("304", cached_port, site.get("post", "/"), {"If-None-Match": etag}))
        for run in runs:  # warm up: renditions made, every worker loaded
            name, port, path, headers = run
            try:
                for _ in range(workers * 2):
                    response = get(port, path, headers)
                    if response.status not in (200, 304):
                        raise OSError(f"HTTP {response.status}")
            except OSError as error:  # a page too slow for gunicorn's timeout: said, skipped
                say(f"{name} {path}: {error!r}: not measured")
                drain(port, workers)
            else:
                self.runs[name] = (port, path, headers)

    def serve(self, env: dict, stack: contextlib.ExitStack) -> int:
        server, port = start_server(env, self.workers)

        def stop() -> None:
            server.terminate()
            server.wait(timeout=30)

        stack.callback(stop)
        return port

    def admin(self) -> dict:
        """The admin's timings, in-process (printed), as (wall ms, CPU ms) by label."""
        say(f"\n{self.size} posts, in-process:")
        timings = {}
        for line in manage(self.env, "shell", stdin=f"COUNT = {self.size}\n{ADMIN}").splitlines():
            say(line)
            timing = IN_PROCESS.match(line)
            if timing:
                timings[f"in-process {timing[1]}"] = (float(timing[2]), float(timing[3]))
        return timings


def measure_sites(args, sites: list[Site]) -> dict[int, dict[str, float]]:
    """Every page of every size, in rounds; within a round each page is timed for every size
    in turn, so the sizes are compared within seconds of each other (the machine's slow
    spells hit both alike). The medians in req/s, by size."""
    connections = sites[0].workers * 2
    tool = "wrk" if shutil.which("wrk") else "python"
    measure = measure_wrk if tool == "wrk" else measure_python
    say(
        f"\ngunicorn x2 per size: {sites[0].workers} sync workers each, {connections} connections, "
        f"{tool}, {args.rounds} rounds of {args.seconds:g} s per page, the sizes interleaved"
    )
    results = {site.size: {name: [] for name in site.runs} for site in sites}
    names = list(dict.fromkeys(name for site in sites for name in site.runs))
    for round_number in range(1, args.rounds + 1):
        for name in names:
            for site in sites:
                if name not in site.runs:  # a page that failed its warm-up at this size
                    continue
                port, path, headers = site.runs[name]
                rate = measure(f"http://127.0.0.1:{port}{path}", args.seconds, connections, headers)
                results[site.size][name].append(rate)
                drain(port, site.workers)  # a slow page's queue must not slow the next one
        for site in sites:
            rates = ", ".join(f"{n} {v[-1]:.0f}" for n, v in results[site.size].items() if v)
            say(f"round {round_number}, {site.size} posts: {rates}")
    return {
        size: {name: statistics.median(values) for name, values in rates.items() if values}
        for size, rates in results.items()
    }


def report(size: int, medians: dict) -> None:
    if "floor" not in medians:  # --no-servers: the in-process lines were printed
        return
    floor, tiny = medians["floor"], medians["tiny"]
    say(f"\n{size} posts: floor {floor:.0f} req/s (template), tiny {tiny:.0f} req/s")
    say(f"{'page':<8} {'cached':>8} {'ratio':>6} {'uncached':>9} {'ratio':>6} {'target':>7}")
    for name, target in TARGETS.items():
        if f"{name} uncached" not in medians:
            continue
        rate = medians[f"{name} uncached"]
        hit = medians.get(f"{name} cached")
        hit_text = f"{hit:>8.0f} {hit / floor:>6.2f}" if hit else f"{'-':>8} {'-':>6}"
        verdict = "" if target is None else ("ok" if rate / floor >= target else "BELOW")
        target_text = "" if target is None else f"{target:.2f}"
        say(f"{name:<8} {hit_text} {rate:>9.0f} {rate / floor:>6.3f} {target_text:>7} {verdict}")
    for name, target in HIT_TARGETS.items():
        if name not in medians:
            continue
        rate = medians[name]
        verdict = "ok" if rate / tiny >= target else "BELOW"
        say(f"{name:<8} {rate:>8.0f} {rate / tiny:>6.2f} x tiny floor (target {target}) {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and round")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port): a fresh database is made there",
    )
    parser.add_argument("--pages", type=lambda text: text.split(","), help="e.g. list,search")
    parser.add_argument("--no-admin", action="store_true", help="skip the admin's timings")
    parser.add_argument(
        "--no-servers", action="store_true", help="in-process timings only (no gunicorn, no wrk)"
    )
    args = parser.parse_args()

    workers = 2 * (os.cpu_count() or 1) + 1
    with contextlib.ExitStack() as stack:
        sites = [Site(args, size, workers, stack) for size in args.posts]
        figures = measure_sites(args, sites) if not args.no_servers else {}
        for site in sites:
            figures.setdefault(site.size, {})
            if not args.no_admin:
                figures[site.size].update(site.admin())
    for size in args.posts:
        report(size, figures[size])
    if len(figures) > 1:
        sizes = sorted(figures)
        small, large = figures[sizes[0]], figures[sizes[-1]]
        say(f"\n{sizes[-1]} posts against {sizes[0]} (each as a ratio to its own floor):")
        for name in small:
            if name in ("floor", "tiny") or name not in large or name.startswith("in-process"):
                continue
            base = "tiny" if name in HIT_TARGETS else "floor"
            ratio = (large[name] / large[base]) / (small[name] / small[base])
            verdict = "ok" if ratio >= 0.8 else "SLOWER"
            say(f"{name:<18} {ratio:>6.2f} {verdict}")
        if any(name.startswith("in-process") for name in small):
            say(
                f"\nIn-process, {sizes[-1]} posts ÷ {sizes[0]} (time; goal ≤ 1.2), CPU in brackets:"
            )
        for name in small:
            if not name.startswith("in-process") or name not in large:
                continue
            (wall, cpu), (big_wall, big_cpu) = small[name], large[name]
            ratio = big_wall / wall
            verdict = "ok" if ratio <= 1.2 else "GROWS"
            say(
                f"{name[11:]:<28} {wall:8.1f} → {big_wall:8.1f} ms {ratio:5.2f} "
                f"({cpu:.1f} → {big_cpu:.1f} ms cpu, {big_cpu / cpu:.2f}) {verdict}"
            )


if __name__ == "__main__":
    main()
