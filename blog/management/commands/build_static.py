import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.publishing.build import BuildError, build_site, default_base_url
from blog.publishing.render import BaseUrlError


class Command(BaseCommand):
    help = (
        "Write the public site as static files into OUTDIR (same views and templates as the "
        "live site), with host rules for old addresses, content types and headers, and a "
        "Pagefind search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("outdir", type=Path, help="Folder to write the site into.")
        parser.add_argument(
            "--base-url",
            default="",
            help="The address the site is served at, e.g. https://example.org (canonical "
            "links, feeds, sitemap). Default: CARNET_STATIC_BASE_URL, else http://localhost.",
        )
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Rewrite only the files whose content changed (the others keep their date).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Build and report, but change nothing in OUTDIR."
        )

    def handle(self, *args, outdir, base_url, incremental, dry_run, verbosity, **options):
        self.verbosity = verbosity
        self.progress = verbosity >= 1 and self.stdout.isatty()
        self.last_progress = 0.0
        try:
            report = build_site(
                outdir,
                base_url=base_url or default_base_url(),
                incremental=incremental,
                dry_run=dry_run,
                on_item=self.item if verbosity >= 3 else None,
                on_progress=self.show_progress if self.progress else None,
            )
        except (BuildError, BaseUrlError) as exc:
            raise CommandError(str(exc)) from None
        if self.progress:
            self.stdout.write("\r\033[K", ending="")
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        if verbosity >= 1:
            for warning in report.warnings:
                self.stderr.write(f"warning: {warning}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} address(es) failed: nothing was changed in {outdir}"
            )
        if verbosity >= 2:
            changes = report.changes
            for label, names in (("written", changes.written), ("deleted", changes.deleted)):
                for name in names:
                    self.stdout.write(f"{label}: {name}")
        if verbosity >= 1:
            prefix = "Dry run (nothing changed): " if dry_run else ""
            self.stdout.write(f"{prefix}{report.summary()} in {outdir}")

    def item(self, address: str, relative: str) -> None:
        self.stdout.write(f"{address} -> {relative}")

    def show_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last_progress > 0.2 or done == total:
            self.last_progress = now
            self.stdout.write(f"\r{done}/{total} addresses", ending="")
            self.stdout.flush()
