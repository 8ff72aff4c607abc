"""What finding a picture's renditions costs with media in an S3 bucket (not a test).

    .venv/bin/python bench/bench_media.py [--images 10] [--rounds 5]

moto's S3 server on loopback (tests/support/s3.py) holds N source images; the card renditions
of each are made once, then looked up as a page of N cards would, four ways: remembered in the
process, remembered in the cache only (another process), known nowhere (the source read and a
HEAD per rendition: what a page would pay per request without the memory), and made from
nothing. The floor is one HEAD request to the bucket. Medians, as ratios to the floor. A real
bucket is 10-50 ms away, not 1: the ratios of the S3 ways understate what the memory saves.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")


def timed(work, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from tests.support.s3 import MotoServer

    with MotoServer() as s3:
        s3.create_bucket("bench")
        os.environ.update(s3.environ("bench"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from PIL import Image

        from blog.images import renditions

        names = []
        for n in range(args.images):
            buffer = io.BytesIO()
            Image.new("RGB", (1600, 900), (n % 255, 120, 40)).save(buffer, "JPEG")
            names.append(
                default_storage.save(f"posts/bench-{n}.jpg", ContentFile(buffer.getvalue()))
            )

        def page() -> None:
            for name in names:
                assert renditions.picture_of(default_storage, name, "card") is not None

        start = time.perf_counter()
        page()
        make = time.perf_counter() - start
        floor = timed(lambda: default_storage.exists(names[0]), args.rounds * 4)
        in_process = timed(page, args.rounds)

        def cache_only() -> None:
            renditions.forget()
            page()

        shared = timed(cache_only, args.rounds)

        def nowhere() -> None:
            renditions.forget()
            cache.clear()
            page()

        cold = timed(nowhere, args.rounds)

    say(f"{args.images} cards (4 renditions each), media on moto's S3 server (loopback)")
    say(f"{'':<42}{'ms':>10}{'× one HEAD':>12}")
    for label, seconds in [
        ("floor: one HEAD request to the bucket", floor),
        ("remembered in the process", in_process),
        ("remembered in the cache only", shared),
        ("known nowhere (source GET + HEADs)", cold),
        ("made (first view ever)", make),
    ]:
        say(f"{label:<42}{seconds * 1000:>10.2f}{seconds / floor:>12.2f}")


if __name__ == "__main__":
    main()
