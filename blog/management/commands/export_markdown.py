from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.porting.exporting import export_posts


class Command(BaseCommand):
    help = (
        "Write every post as a Markdown file with front matter (in the shape it was imported "
        "in; Gatsby + Netlify CMS for posts made here), images in a static folder beside them."
    )

    def add_arguments(self, parser):
        parser.add_argument("outdir", type=Path, help="Folder to write the site into.")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Write into a folder that is not empty (files of the same name are replaced; "
            "a symbolic link in the way is refused, never written through).",
        )

    def handle(self, *args, outdir, overwrite, verbosity, **options):
        if outdir.exists() and not outdir.is_dir():
            raise CommandError(f"{outdir}: exists and is not a folder")
        if outdir.is_dir() and any(outdir.iterdir()) and not overwrite:
            raise CommandError(f"{outdir}: the folder is not empty (--overwrite to write into it)")
        try:
            report = export_posts(outdir)
        except OSError as exc:
            raise CommandError(f"{exc.filename or outdir}: {exc.strerror}") from None
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        if verbosity >= 1:
            for warning in report.warnings:
                self.stderr.write(f"warning: {warning}")
            self.stdout.write(f"{report.summary()} to {outdir}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} file(s) not written: the export never writes through a "
                "symbolic link (remove it, or export into another folder)."
            )
