"""Mixed traffic on the several-machine setup, then on one node, then on SQLite (not a test).

    .venv/bin/python bench/bench_load.py [--seconds 60] [--rounds 3] [--posts 200] [--connections 8]

Starts what tests/deploy/test_multinode.py starts (tests/support/cluster.py): a PostgreSQL
database, Redis, moto's S3 server, two gunicorn nodes (2 workers each) and nginx in front
(deploy/nginx.conf, its page cache on: CARNET_CACHE_S_MAXAGE, --s-maxage), imports N generated
Markdown posts (tags, dates over several years, one in ten with a featured image) with
``manage.py import_markdown`` (into each setup's database), then, on loopback only, gives each
setup ``--seconds`` of traffic in turns of ``--seconds / --rounds`` (a busy moment of a shared
machine hits them all alike):

1. two nodes through nginx;
2. one node alone (node A, no nginx, same database, Redis and bucket);
3. one node on SQLite, the single-machine setup (no Redis, media on disk, served by the app),
   seeded with the same posts.

The traffic: 90 % reads over every public page type (home, /blog/ pages, posts, tags, the tag
list, archives, feeds, the sitemap), 8 % searches, 2 % editor work (a post saved through the
admin's form, an image uploaded through the editor's upload), from --connections threads, each
request on a new connection. It prints, per page type and in all, requests/s, p50 and p99 in
ms and errors (any status but the expected one, or no answer), the "database is locked" lines in
the nodes' logs, and the ratios of the runs to run 2 (one node), measured in the same process.

That closed loop (each connection asks again as soon as it is answered) measures how much a setup
serves; then an open loop offers each setup the same load (--rate requests/s arriving at random,
by default 0.6 x what one node served) and prints what a reader waits, p99 per page type.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import queue
import random
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.cluster import EDITOR, Browser, Cluster, missing_parts, say  # noqa: E402

WORDS = [
    "carrière", "freelance", "client", "projet", "devis", "facture", "marché", "compétence",
    "plateforme", "stratégie", "réseau", "profil", "mission", "contrat", "temps",
    "apprentissage", "code", "site", "web", "réussite",
]  # fmt: skip
TAGS = [f"sujet-{n}" for n in range(30)] + ["freelancing", "carriere"]
YEARS = range(2017, 2026)
SEARCHES = ["freelance", "client", "contrat", "marché", "stratégie", "mission", "réseau"]
# Weights out of 100: 90 reads, 8 searches, 2 editor requests.
MIX = {
    "home": 15,
    "blog list": 12,
    "post": 30,
    "tag": 10,
    "tag list": 3,
    "archive": 8,
    "feed": 8,
    "sitemap": 4,
    "search": 8,
    "editor save": 1,
    "editor upload": 1,
}


def generate(folder: Path, count: int) -> list[dict]:
    """N Markdown posts in the Gatsby shape, with their images; what the traffic will ask for."""
    rng = random.Random(10)
    (folder / "static" / "img").mkdir(parents=True)
    posts = []
    for n in range(count):
        year = YEARS[n % len(YEARS)]
        month = n % 12 + 1
        tags = ["freelancing", *rng.sample(TAGS, 2)]
        paragraphs = "\n\n".join(" ".join(rng.choices(WORDS, k=80)) for _ in range(5))
        image = ""
        if n % 10 == 0:
            buffer = io.BytesIO()
            Image.new("RGB", (1200, 700), (n % 255, 110, 60)).save(buffer, "JPEG")
            (folder / "static" / "img" / f"charge-{n}.jpg").write_bytes(buffer.getvalue())
            image = f"featuredimage: /img/charge-{n}.jpg\nfeaturedimagealt: Image {n}\n"
        slug = f"article-de-charge-{n}"
        (folder / f"{year}-{month:02d}-{n % 28 + 1:02d}-{slug}.md").write_text(
            f"---\ntemplateKey: blog-post\ntitle: Article de charge {n}\n"
            f"date: {year}-{month:02d}-{n % 28 + 1:02d}T10:00:00Z\n"
            f"description: {' '.join(rng.choices(WORDS, k=15))}\n{image}"
            f"tags:\n" + "".join(f"  - {tag}\n" for tag in tags) + "---\n\n"
            f"## Partie un\n\n{paragraphs}\n\n## Partie deux\n\n{paragraphs}\n",
            encoding="utf-8",
        )
        posts.append({"slug": slug, "year": year, "month": month, "tags": tags})
    return posts


def jpeg(n: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), (n % 255, 60, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


class Traffic:
    """--connections threads, each drawing request kinds from MIX until the time is up."""

    def __init__(self, base: str, posts: list[dict], seconds: float, connections: int):
        self.base, self.posts, self.seconds, self.connections = base, posts, seconds, connections
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()
        self.counter = 0

    def path(self, kind: str, rng: random.Random) -> str:
        post = rng.choice(self.posts)
        pages = max(1, len(self.posts) // 10)
        return {
            "home": "/",
            "blog list": rng.choice(["/blog/", f"/blog/?page={rng.randint(2, pages)}"]),
            "post": f"/blog/{post['slug']}/",
            "tag": f"/tags/{rng.choice(post['tags'])}/",
            "tag list": "/tags/",
            "archive": rng.choice(
                [f"/archive/{post['year']}/", f"/archive/{post['year']}/{post['month']:02d}/"]
            ),
            "feed": rng.choice(
                ["/feed/", "/feed/atom/", f"/tags/{rng.choice(post['tags'])}/feed/"]
            ),
            "sitemap": "/sitemap.xml",
            "search": f"/search/?q={urllib.parse.quote(rng.choice(SEARCHES))}",
        }[kind]

    def editor(self, kind: str, editor: Browser, token: str, rng: random.Random) -> tuple:
        with self.lock:
            self.counter += 1
            n = self.counter
        if kind == "editor upload":
            reply = editor.post(
                "/admin/blog/post/upload-image/",
                {"csrfmiddlewaretoken": token},
                files={"image": (f"envoi-{n}.jpg", jpeg(n), "image/jpeg")},
            )
            return reply, 200
        fields = {
            "csrfmiddlewaretoken": token,
            "title": f"Enregistré pendant la charge {n} {rng.random():.6f}",
            "slug": "",
            "description": "",
            "body": " ".join(rng.choices(WORDS, k=200)),
            "tags": "freelancing, charge",
            "status": "published",
            "pub_date_0": "23/05/2020",
            "pub_date_1": "13:37:58",
            "image_alt": "",
            "redirects-TOTAL_FORMS": "0",
            "redirects-INITIAL_FORMS": "0",
            "author_links-TOTAL_FORMS": "0",  # as tests/support/factories.py post_form_data
            "author_links-INITIAL_FORMS": "0",
        }
        return editor.post("/admin/blog/post/add/", fields), 302

    def one(self, kind: str, reader: Browser, editor: Browser, token: str, rng) -> str | None:
        """One request of ``kind``: None, or what went wrong (counted; the load goes on)."""
        try:
            if kind.startswith("editor"):
                reply, expected = self.editor(kind, editor, token, rng)
            else:
                reader.cookies.clear()
                reply, expected = reader.get(self.path(kind, rng)), 200
            return None if reply.status == expected else f"HTTP {reply.status}"
        except Exception as error:  # no answer, a broken one
            return f"{type(error).__name__}: {error}"

    def record(self, kind: str, elapsed: float, problem: str | None) -> None:
        with self.lock:
            self.times[kind].append(elapsed)
            if problem:
                self.errors[kind].append(problem)

    def worker(self, index: int, start: threading.Barrier) -> None:
        rng = random.Random(index)
        editor = Browser(self.base, timeout=30)
        reply = editor.log_in(*EDITOR)
        if reply.status != 302:
            start.abort()
            raise SystemExit(f"editor login on {self.base}: {reply.status}")
        token = editor.csrf_token("/admin/blog/post/add/")
        kinds, weights = list(MIX), list(MIX.values())
        reader = Browser(self.base, timeout=30)
        start.wait()  # every connection signed in: the clock starts now, for all
        while time.monotonic() < self.stop:
            kind = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            problem = self.one(kind, reader, editor, token, rng)
            self.record(kind, time.perf_counter() - started, problem)

    def run(self) -> float:
        def go() -> None:
            self.started = time.monotonic()
            self.stop = self.started + self.seconds

        start = threading.Barrier(self.connections, action=go)
        threads = [
            threading.Thread(target=self.worker, args=(i, start)) for i in range(self.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - self.started


class OpenTraffic(Traffic):
    """Readers who do not wait for each other: requests arrive at ``rate`` a second (Poisson),
    whatever the server's speed, as an audience does. A request's time runs from the moment it
    was due, so time spent waiting for a free client counts too (no coordinated omission)."""

    POOL = 48

    def __init__(self, base: str, posts: list[dict], seconds: float, rate: float):
        super().__init__(base, posts, seconds, self.POOL)
        self.rate = rate
        self.due: queue.Queue = queue.Queue()

    def run(self) -> float:
        editor = Browser(self.base, timeout=30)
        if editor.log_in(*EDITOR).status != 302:
            raise SystemExit(f"editor login on {self.base}")
        token = editor.csrf_token("/admin/blog/post/add/")

        def serve(index: int) -> None:
            rng = random.Random(1000 + index)
            reader = Browser(self.base, timeout=30)
            own_editor = Browser(self.base, dict(editor.cookies), timeout=30)
            while (item := self.due.get()) is not None:
                due, kind = item
                problem = self.one(kind, reader, own_editor, token, rng)
                self.record(kind, time.perf_counter() - due, problem)

        threads = [threading.Thread(target=serve, args=(i,)) for i in range(self.POOL)]
        for thread in threads:
            thread.start()
        rng = random.Random(7)
        kinds, weights = list(MIX), list(MIX.values())
        started = time.perf_counter()
        due = started
        while due < started + self.seconds:
            due += rng.expovariate(self.rate)
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            self.due.put((due, rng.choices(kinds, weights)[0]))
        for _ in threads:
            self.due.put(None)
        for thread in threads:
            thread.join()
        return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def report(name: str, traffic: Traffic, elapsed: float, locked: int) -> tuple[dict, dict]:
    """Prints the table; returns requests/s and p99 (ms) per page type, and for "all"."""
    say(f"\n== {name}: {elapsed:.0f} s, {traffic.connections} connections")
    say(f"{'page type':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    rates, tails = {}, {}
    everything = []
    for kind in MIX:
        times = traffic.times.get(kind, [])
        everything += times
        rates[kind] = len(times) / elapsed
        tails[kind] = percentile(times, 0.99)
        if times:
            say(
                f"{kind:<14} {rates[kind]:>8.1f} {percentile(times, 0.5):>8.0f} "
                f"{percentile(times, 0.99):>8.0f} {len(traffic.errors.get(kind, [])):>7}"
            )
    errors = sum(len(found) for found in traffic.errors.values())
    rates["all"] = len(everything) / elapsed
    tails["all"] = percentile(everything, 0.99)
    say(
        f"{'all':<14} {rates['all']:>8.1f} {percentile(everything, 0.5):>8.0f} "
        f"{percentile(everything, 0.99):>8.0f} {errors:>7}"
    )
    samples = sorted({problem for found in traffic.errors.values() for problem in found})[:5]
    say(f"errors: {errors} {samples if samples else ''}; 'database is locked' in logs: {locked}")
    return rates, tails


def locked_lines(cluster: Cluster) -> int:
    return sum(node.process.output().count("database is locked") for node in cluster.nodes.values())


def seed(cluster: Cluster, folder: Path) -> None:
    started = time.monotonic()
    cluster.manage("import_markdown", str(folder), "-v0")
    say(f"[bench] import_markdown of the generated posts: {time.monotonic() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per setup")
    parser.add_argument("--rounds", type=int, default=3, help="the setups take turns")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--s-maxage", type=int, default=10, help="nginx may keep a page this long")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="open-loop arrivals a second (default: 0.6 x what one node served in the closed loop)",
    )
    parser.add_argument("--open-seconds", type=float, default=30.0, help="open loop, per setup")
    args = parser.parse_args()
    missing = missing_parts()
    if missing:
        raise SystemExit(f"bench_load needs {'; '.join(missing)}")

    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="carnet-load-")))
        posts = generate(folder, args.posts)
        cache = {
            "CARNET_CACHE_S_MAXAGE": str(args.s_maxage),
            "CARNET_CACHE_STALE_WHILE_REVALIDATE": str(args.s_maxage * 3),
        }
        scaled = Cluster(env=cache)
        stack.callback(scaled.stop)
        scaled.start()
        seed(scaled, folder)
        single = Cluster(postgres=False, redis=False, s3=False, nodes=("a",), nginx=False)
        stack.callback(single.stop)
        single.start()
        seed(single, folder)

        setups = {
            "two nodes through nginx": (scaled, scaled.nginx_url),
            "one node (A), no nginx": (scaled, scaled.nodes["a"].url),
            "one node on SQLite": (single, single.nodes["a"].url),
        }
        share = args.seconds / args.rounds
        traffic = {
            name: Traffic(base, posts, share, args.connections)
            for name, (_, base) in setups.items()
        }
        elapsed = dict.fromkeys(setups, 0.0)
        say(f"[bench] {args.posts} posts; {args.rounds} rounds of {share:g} s per setup, in turn")
        for number in range(1, args.rounds + 1):
            for name in setups:  # in turn: a busy moment of the machine hits every setup
                elapsed[name] += traffic[name].run()
            say(f"[bench] round {number} done")
        say("\n#### Closed loop: each connection asks again as soon as it has an answer")
        results = {
            name: report(name, traffic[name], elapsed[name], locked_lines(cluster))[0]
            for name, (cluster, _) in setups.items()
        }
        # The closed loop measures how much each setup can serve; it also piles every freed
        # connection onto the uncached requests (searches, editor work) once nginx answers the
        # rest at once. An audience does not wait for the server: the same offered load to each
        # setup says what a reader waits.
        rate = args.rate or round(0.6 * results["one node (A), no nginx"]["all"], 1)
        say(f"\n#### Open loop: {rate:g} req/s arriving (Poisson), {args.open_seconds:g} s each")
        tails = {}
        for name, (cluster, base) in setups.items():
            opened = OpenTraffic(base, posts, args.open_seconds, rate)
            served = opened.run()
            tails[name] = report(f"{name}, {rate:g} req/s offered", opened, served,
                                 locked_lines(cluster))[1]  # fmt: skip

    say(f"\n== open loop at {rate:g} req/s: p99 ms per page type")
    say(f"{'page type':<14} " + " ".join(f"{name[:24]:>25}" for name in tails))
    for kind in [*MIX, "all"]:
        say(f"{kind:<14} " + " ".join(f"{found.get(kind, float('nan')):>25.0f}"
                                      for found in tails.values()))  # fmt: skip

    floor = results["one node (A), no nginx"]
    say("\n== ratios to one node (A) alone, req/s")
    say(f"{'page type':<14} " + " ".join(f"{name[:24]:>25}" for name in results))
    for kind in [*MIX, "all"]:
        if floor.get(kind):
            ratios = (rates.get(kind, 0) / floor[kind] for rates in results.values())
            say(f"{kind:<14} " + " ".join(f"{ratio:>25.2f}" for ratio in ratios))


if __name__ == "__main__":
    main()
