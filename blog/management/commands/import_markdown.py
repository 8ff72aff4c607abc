import argparse
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from blog.porting.importing import FileResult, import_paths


class Command(BaseCommand):
    help = (
        "Import Markdown files with front matter (Gatsby/Netlify CMS, Jekyll, Hugo) as posts, "
        "with their images, tags and old addresses. Create or update by source file."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Markdown files or folders.")
        parser.add_argument(
            "--static-dir",
            type=Path,
            help="Where site paths like /img/x.jpg resolve (default: guessed, e.g. the site's "
            "static/ folder).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, write nothing."
        )
        parser.add_argument(
            "--strict", action="store_true", help="All or nothing: one bad file imports none."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite posts edited in the admin since their import.",
        )
        parser.add_argument(
            "--pages",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Import a Gatsby site's pages (about-page, product-page) as pages at their "
            "old addresses, and fill the empty site identity fields from its index-page "
            "(default; --no-pages skips them).",
        )

    def handle(self, *args, paths, static_dir, dry_run, strict, force, pages, verbosity,
               **options):  # fmt: skip
        if static_dir is not None and not static_dir.is_dir():
            raise CommandError(f"--static-dir {static_dir}: no such folder")
        self.verbosity = verbosity
        self.progress = verbosity >= 1 and self.stdout.isatty()
        self.last_progress = 0.0
        report = import_paths(
            paths,
            static_dir=static_dir,
            dry_run=dry_run,
            strict=strict,
            force=force,
            pages=pages,
            on_file=self.file_done,
            on_progress=self.show_progress if self.progress else None,
        )
        if self.progress:
            self.stdout.write("\r\033[K", ending="")
        if (
            not dry_run
            and not report.rolled_back
            and (report.count("created") or report.count("updated"))
        ):
            refresh_statistics()
        for link, real in report.refused_static_dirs.items():
            self.stderr.write(
                f"warning: {link} is a link out of the site (to {real}); not used for site "
                "paths like /img/x.jpg (--static-dir to use it)"
            )
        if verbosity >= 1:
            for folder, how in report.static_dirs.items():
                self.stdout.write(f"Site paths like /img/x.jpg resolve in {folder} ({how}).")
            self.stdout.write(report.summary())
        problems = []
        if report.empty_folders:
            problems.append("no Markdown files found in " + ", ".join(report.empty_folders))
        if report.failures or report.conflicts:
            problems.append(
                f"{len(report.failures)} file(s) could not be imported"
                + (f", {len(report.conflicts)} conflict(s)" if report.conflicts else "")
                + ("; nothing was imported (--strict)" if report.rolled_back and strict else "")
            )
        if problems:
            raise CommandError("; ".join(problems) + ".")

    def file_done(self, result: FileResult) -> None:
        if result.action == "failed":
            self.stderr.write(f"error: {result.path}: {result.message}")
        elif result.action == "conflict":
            self.stderr.write(f"conflict: {result.path}: {result.message}")
        elif self.verbosity >= 1 and result.action == "skipped":
            self.stdout.write(f"skipped: {result.path}: {result.message}")
        elif self.verbosity >= 2:
            details = ""
            if self.verbosity >= 3:
                details = f" ({result.images_copied} images, {result.redirects_made} redirects)"
            self.stdout.write(f"{result.action}: {result.path}{details}")
        if self.verbosity >= 1:
            for warning in result.warnings:
                self.stderr.write(f"warning: {result.path}: {warning}")

    def show_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last_progress > 0.2 or done == total:
            self.last_progress = now
            self.stdout.write(f"\r{done}/{total} files", ending="")
            self.stdout.flush()


# What the public pages read: their plans depend on these tables' sizes.
ANALYZED = ("blog_post", "blog_taggedpost", "blog_postauthor", "taggit_tag", "blog_redirect")


def refresh_statistics() -> None:
    """Tell PostgreSQL's planner what was imported. Until a table is analyzed after a bulk
    import (autovacuum does it within minutes, or never when it is off), the planner takes the
    posts for a handful and reads every one to show ten (issue 13: 39 ms instead of 0.6 ms for
    a list page at 1,000 posts). SQLite plans by its indexes alone."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(ANALYZED))
