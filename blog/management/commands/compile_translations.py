from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile the project's .po catalogues to .mo with polib "
        "(compilemessages needs GNU gettext, which a fresh machine may lack)."
    )

    def handle(self, *args, verbosity, **options):
        for locale_dir in map(Path, settings.LOCALE_PATHS):
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                po_file = polib.pofile(str(po_path))
                po_file.save_as_mofile(str(po_path.with_suffix(".mo")))
                if verbosity >= 1:
                    self.stdout.write(
                        f"{po_path}: {len(po_file.translated_entries())} messages compiled"
                    )
