"""Pagefind's peak memory and CPU over a built site's post pages: one run (one bundle) against
the batched index (one run per bucket, blog.publishing.search.buckets / build_bundle).

    .venv/bin/python bench/bench_search_batches.py OUTDIR [--copies 5] [--batch 1000]

OUTDIR: a build of build_static (its blog/<slug>/index.html post pages are copied, read
only). ``--copies N`` makes N copies of every post page under other addresses (N × the
site's posts: a large site without building it; the words repeat, so Pagefind's figures are
a floor of a real site's). Each configuration runs in a process of its own: its children's
peak RSS (``ru_maxrss``: the largest Pagefind run) and CPU seconds are its own. Then, as
an incremental build after one edit, Pagefind again over the edited page's bundle only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def child(site: Path, batch: int) -> None:
    """In a process of its own: index ``site``'s post pages, print the children's figures."""
    import django

    django.setup()
    from django.test import override_settings

    from blog.publishing import search

    pages = {p.relative_to(site).as_posix(): "" for p in site.glob(search.post_pages_glob())}
    started = time.perf_counter()
    with override_settings(CARNET_STATIC_SEARCH_BATCH=batch):
        split = search.buckets(pages)
        if len(split) == 1:
            search.build_index(site, "fr")
        else:
            for folder, bucket in split.items():
                search.build_bundle(site, folder, bucket, "fr")
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # An incremental build after one edit: Pagefind again over the edited page's bundle only.
    folder, bucket = next((f, b) for f, b in split.items() if min(pages) in b)
    shutil.rmtree(site / folder)
    if len(split) == 1:
        search.build_index(site, "fr")
    else:
        search.build_bundle(site, folder, bucket, "fr")
    again = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stdout.write(
        json.dumps(
            {
                "pages": len(pages),
                "bundles": len(split),
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mb": usage.ru_maxrss / 1024,
                "edit_cpu": again.ru_utime + again.ru_stime - usage.ru_utime - usage.ru_stime,
            }
        )
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000, help="post pages per bundle")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.outdir, args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{work / 'unused.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "PYTHONPATH": str(ROOT),
    }
    try:
        site = work / "site"
        posts = sorted((args.outdir / "blog").glob("*/index.html"))
        for copy in range(args.copies):
            for page in posts:
                slug = page.parent.name + (f"-{copy}" if copy else "")
                target = site / "blog" / slug / "index.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(page, target)
        load = os.getloadavg()
        say(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        figures = {}
        for label, batch in (("one bundle", 10**9), (f"batches of {args.batch}", args.batch)):
            for folder in site.glob("pagefind*"):
                shutil.rmtree(folder)
            out = subprocess.run(
                [sys.executable, __file__, str(site), "--child", str(batch)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            figures[label] = found = json.loads(out.strip().splitlines()[-1])
            say(
                f"{label:>20}: {found['pages']:,} pages, {found['bundles']} bundle(s), "
                f"Pagefind peak {found['peak_mb']:.0f} MB, CPU {found['cpu']:.1f} s, "
                f"wall {found['wall']:.1f} s; after one edit: CPU {found['edit_cpu']:.2f} s"
            )
        one, batched = figures.values()
        say(
            f"batched / one bundle: peak {batched['peak_mb'] / one['peak_mb']:.2f}, "
            f"CPU {batched['cpu'] / one['cpu']:.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
