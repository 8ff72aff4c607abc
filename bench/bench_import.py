"""Import speed against its floor, and peak memory (a benchmark, not a test).

    .venv/bin/python bench/bench_import.py [--posts 5000] [--images 40]

Generates N posts in the Gatsby + Netlify CMS shape (accented French titles, 1-5 tags
out of 50, a featured image and a body image shared among posts) in a temporary folder,
then times:

- the floor: python-frontmatter parses each file and blog.rendering.render_markdown
  renders its body (no database, nothing else);
- the import: ``import_markdown`` into a fresh SQLite database (rows, tags, images,
  redirects), production settings (DEBUG off).

Prints both in files/s, their ratio (target <= 1.5x) and peak memory (target < 300 MB).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "carrière",
    "freelance",
    "client",
    "projet",
    "devis",
    "facture",
    "marché",
    "compétence",
    "plateforme",
    "stratégie",
    "réseau",
    "profil",
    "mission",
    "contrat",
    "temps",
    "apprentissage",
    "code",
    "site",
    "web",
    "économie",
    "équipe",
    "qualité",
]
TITLE_WORDS = [
    "début",
    "été",
    "œuvre",
    "déjà",
    "façon",
    "élève",
    "naïf",
    "forêt",
    "crème",
    "goût",
    "hôtel",
    "île",
]


def generate(folder: Path, posts: int, images: int) -> None:
    from PIL import Image

    random.seed(3)
    tags = [f"Sujet {n}" for n in range(45)] + ["JavaScript", "web3", "Éco", "café", "Django"]
    static = folder / "static" / "img"
    static.mkdir(parents=True)
    for n in range(images):
        buffer = io.BytesIO()
        Image.new("RGB", (800, 450), (n * 5 % 255, 120, 40)).save(buffer, "JPEG")
        (static / f"photo-{n}.jpg").write_bytes(buffer.getvalue())
    blog = folder / "src" / "pages" / "blog"
    blog.mkdir(parents=True)
    for n in range(posts):
        title = " ".join(random.choices(TITLE_WORDS, k=4)).capitalize() + f" {n}"
        paragraphs = "\n\n".join(" ".join(random.choices(WORDS, k=80)) for _ in range(5))
        chosen = random.sample(tags, random.randint(1, 5))
        body = (
            f"## Une partie\n\n{paragraphs}\n\n![photo](/img/photo-{(n + 1) % images}.jpg)\n\n"
            f"- un point\n- **deux** points\n\n```python\nprint({n})\n```\n\n"
            f"[un lien](https://example.org/{n})\n\n## Une autre\n\n{paragraphs}\n"
        )
        (blog / f"2020-{n % 12 + 1:02d}-{n % 28 + 1:02d}-article-{n}-été.md").write_text(
            "---\ntemplateKey: blog-post\n"
            f"title: {title}\n"
            f"date: 2020-{n % 12 + 1:02d}-{n % 28 + 1:02d}T11:37:58.440Z\n"
            f"description: {' '.join(random.choices(WORDS, k=15))}\n"
            f"featuredpost: {'true' if n % 20 == 0 else 'false'}\n"
            f"featuredimage: /img/photo-{n % images}.jpg\n"
            "tags:\n" + "".join(f"  - {tag}\n" for tag in chosen) + f"---\n{body}",
            encoding="utf-8",
        )


def posts_of(folder: Path) -> list[Path]:
    return sorted((folder / "src" / "pages" / "blog").glob("*.md"))


def floor(folder: Path, files: list[Path] | None = None) -> tuple[tuple[float, float], int]:
    """(wall, CPU) seconds to parse and render every file (or these), and how many."""
    import frontmatter

    from blog.rendering import render_markdown

    files = posts_of(folder) if files is None else files
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        post = frontmatter.load(path)
        render_markdown(post.content)
    return (time.perf_counter() - start, time.process_time() - cpu), len(files)


def full_import(folder: Path) -> tuple[tuple[float, float], tuple[float, float], object]:
    """The import's (wall, CPU) seconds, and the floor's over the same files measured after
    each batch of the import (its progress callback; that time taken out of the import's):
    a machine whose speed drifts during the run slows both alike."""
    from blog.porting.importing import import_paths

    files = posts_of(folder)
    floor_time = [0.0, 0.0]
    done_before = [0]

    def progress(done: int, total: int) -> None:
        (wall, cpu), _ = floor(folder, files[done_before[0] : done])
        floor_time[0] += wall
        floor_time[1] += cpu
        done_before[0] = done

    start, cpu = time.perf_counter(), time.process_time()
    report = import_paths([folder], on_progress=progress)
    spent = (time.perf_counter() - start, time.process_time() - cpu)
    imported = (spent[0] - floor_time[0], spent[1] - floor_time[1])
    return imported, (floor_time[0], floor_time[1]), report


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--tracemalloc", action="store_true", help="Python heap peak (slower)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="carnet-bench-import-"))
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="site_config.settings",
            DJANGO_SECRET_KEY="bench-only",
            DJANGO_DEBUG="0",
            DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
            DJANGO_MEDIA_ROOT=str(work / "media"),
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        site = work / "site"
        generate(site, args.posts, args.images)
        gc.collect()
        say(f"{args.posts} posts, {args.images} images in {site}")

        # The floor is timed before and after the import: a busy machine slows both alike. CPU
        # time (the process's own) is printed too: other processes waiting for the CPU do not
        # count in it, so it is the fairer figure on a loaded machine.
        first, files = floor(site)
        after_floor = peak_mb()
        if args.tracemalloc:
            tracemalloc.start()
        imported, interleaved, report = full_import(site)
        heap = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if args.tracemalloc else None
        tracemalloc.stop()
        second, _ = floor(site)
        for index, kind in enumerate(("wall clock", "CPU time")):
            floor_seconds = (first[index] + second[index]) / 2
            say(f"{kind}:")
            say(
                f"  floor (parse + render, no DB): {files / floor_seconds:6.0f} files/s "
                f"({first[index]:.1f} s before the import, {second[index]:.1f} s after)"
            )
            say(
                f"  import (rows, tags, images, redirects): {files / imported[index]:6.0f} files/s "
                f"({imported[index]:.1f} s)"
            )
            say(f"  ratio import / floor: {imported[index] / floor_seconds:.2f}x (target <= 1.5x)")
            say(
                f"  ratio import / floor measured batch by batch between the import's batches: "
                f"{imported[index] / interleaved[index]:.2f}x (floor {interleaved[index]:.1f} s)"
            )
        say(
            f"peak memory (RSS): {peak_mb():.0f} MB, {after_floor:.0f} MB before the import "
            "(target < 300 MB)"
        )
        if heap is not None:
            say(f"peak Python heap during the import (tracemalloc): {heap:.0f} MB")
        say(report.summary())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
