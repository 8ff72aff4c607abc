from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.importing import import_paths


class Command(BaseCommand):
    help = "Import Markdown files with front matter as posts (create or update by source file)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Markdown files or folders.")
        parser.add_argument(
            "--static-dir",
            type=Path,
            help="Where site paths like /img/x.jpg resolve (default: static/ of the site).",
        )

    def handle(self, *args, paths, static_dir, verbosity, **options):
        report = import_paths(paths, static_dir=static_dir)
        if verbosity >= 2:
            for result in report.results:
                self.stdout.write(f"{result.action}: {result.path}")
        for warning in report.warnings:
            if verbosity >= 1:
                self.stderr.write(f"warning: {warning}")
        for failure in report.failures:
            self.stderr.write(f"error: {failure}")
        if verbosity >= 1:
            self.stdout.write(report.summary())
        if report.failures:
            raise CommandError(f"{len(report.failures)} file(s) could not be imported.")
