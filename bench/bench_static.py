"""The static site: full and incremental builds, memory, and nginx against the live page.

    .venv/bin/python bench/bench_static.py [--posts 1000] [--large] [--seconds 5] [--rounds 3]

A fresh SQLite database (production settings, hashed static files) gets N published posts
(bench_site's generator: tags, some featured, one in ten with an image). Then, each in a
process of its own (so its peak memory is its own, RSS, Pagefind's child included):

- a full build of the static site (files/s, seconds, peak memory), twice: the first also
  makes the image renditions (as the live site's first views would), the second finds them;
- one post edited, then ``--incremental`` (seconds, files written);
- with ``--large``, the same at 5,000 posts (made in bulk, as bench_site does above 2,000).

CPU seconds are the build process's own (``time.process_time``); Pagefind's (a child
process) are given apart, as its peak memory.

Finally nginx (deploy/nginx-static.conf) serves the build and gunicorn the live site: req/s of
the same post page, interleaved rounds, as a ratio. Goals: full build of 1,000 posts ≤ 60 s,
incremental ≤ 3 s, ≤ 300 MB at 5,000 posts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_site import (  # noqa: E402
    BULK_ABOVE,
    POPULATE,
    free_port,
    manage,
    measure_python,
    measure_wrk,
    say,
    wait_for,
)

BUILD = r"""
import json, resource, time
from pathlib import Path
from blog.publishing.build import build_site
started, cpu = time.perf_counter(), time.process_time()
report = build_site(Path(OUT), base_url="http://127.0.0.1", incremental=INCREMENTAL)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN)
assert not report.errors, report.errors
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": own / 1024,
  "pagefind_mb": children.ru_maxrss / 1024,
  "pagefind_cpu": children.ru_utime + children.ru_stime, "written": len(report.changes.written),
  "unchanged": len(report.changes.unchanged),
  "deleted": len(report.changes.deleted), "pages": report.pages,
  "rendered": report.rendered, "files": report.assets}))
"""

EDIT = r"""
from blog.models import Post
post = Post.objects.published().order_by("-pub_date")[5]
post.body += "\n\nUne phrase de plus."
post.save()
print(post.slug)
"""


def build(env: dict, out: Path, *, incremental: bool) -> dict:
    script = f"OUT = {str(out)!r}\nINCREMENTAL = {incremental}\n{BUILD}"
    return json.loads(manage(env, "shell", stdin=script).strip().splitlines()[-1])


def populate(env: dict, count: int) -> None:
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "shell", stdin=f"COUNT = {count}\nBULK = {count > BULK_ABOVE}\n{POPULATE}")
    say(f"{count} posts made in {time.perf_counter() - started:.0f} s")


def environment(folder: Path) -> dict:
    return {
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


def report_full(count: int, result: dict, label: str = "") -> None:
    total = result["written"] + result["unchanged"]
    say(
        f"full build{f', {label}' if label else ''}, {count} posts: "
        f"{result['seconds']:.1f} s ({result['cpu']:.1f} s CPU, Pagefind "
        f"{result['pagefind_cpu']:.1f} s CPU), "
        f"{result['pages']} pages + {result['files']} files = {total} files written, "
        f"{total / result['seconds']:.0f} files/s ({total / result['cpu']:.0f} per CPU-second), "
        f"peak {result['peak_mb']:.0f} MB (Pagefind {result['pagefind_mb']:.0f} MB), "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def edit_and_rebuild(env: dict, out: Path, count: int) -> str:
    """One post edited, then --incremental: its figures; returns the post's slug."""
    slug = manage(env, "shell", stdin=EDIT).strip().splitlines()[-1]
    again = build(env, out, incremental=True)
    say(
        f"incremental after one edit, {count} posts: {again['seconds']:.1f} s "
        f"({again['cpu']:.2f} s CPU, Pagefind {again['pagefind_cpu']:.2f} s CPU), "
        f"{again['rendered']} pages rendered, {again['written']} files written, "
        f"{again['unchanged']} unchanged, peak {again['peak_mb']:.0f} MB, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return slug


def serve_and_compare(env: dict, out: Path, slug: str, seconds: float, rounds: int) -> None:
    from tests.support.static_site import Nginx

    nginx = Nginx(out)
    workers = 2 * (os.cpu_count() or 1) + 1
    port = free_port()
    live = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "site_config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "site_config.settings"},
    )
    try:
        wait_for(port)
        measure = measure_wrk if shutil.which("wrk") else measure_python
        connections = workers * 2
        urls = {
            "nginx": f"{nginx.url}/blog/{slug}/",
            "live": f"http://127.0.0.1:{port}/blog/{slug}/",
        }
        for url in urls.values():  # warm up
            measure(url, 1, connections, {})
        rates: dict[str, list[float]] = {name: [] for name in urls}
        for _ in range(rounds):
            for name, url in urls.items():
                rates[name].append(measure(url, seconds, connections, {}))
        static, dynamic = (statistics.median(rates[name]) for name in ("nginx", "live"))
        say(
            f"post page: nginx {static:.0f} req/s, live (gunicorn, {workers} workers) "
            f"{dynamic:.0f} req/s: {static / dynamic:.1f}x ({measure.__name__})"
        )
    finally:
        live.terminate()
        live.wait(timeout=30)
        nginx.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--large", action="store_true", help="also a full build of 5,000 posts")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-serve", action="store_true", help="skip the nginx comparison")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="carnet-bench-static-"))
    os.chmod(folder, 0o755)  # nginx's workers read the build
    try:
        env = environment(folder)
        say(f"Fresh database in {folder}: {args.posts} posts…")
        populate(env, args.posts)
        out = folder / "site"
        report_full(args.posts, build(env, out, incremental=False), "first (makes the renditions)")
        report_full(args.posts, build(env, folder / "again", incremental=False), "again")
        slug = edit_and_rebuild(env, out, args.posts)
        if not args.no_serve:
            serve_and_compare(env, out, slug, args.seconds, args.rounds)
        if args.large:
            large = folder / "large"
            large.mkdir()
            env = environment(large)
            say("Fresh database: 5000 posts…")
            populate(env, 5000)
            report_full(5000, build(env, large / "site", incremental=False), "first")
            report_full(5000, build(env, large / "again", incremental=False), "again")
            edit_and_rebuild(env, large / "again", 5000)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
