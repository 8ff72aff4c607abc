"""What a page rendered for the static site knows about it (read by the context processor).

The flag travels in the WSGI environ under a key no HTTP header can produce (headers become
``HTTP_*`` keys), so no reader of the live site can ask for the static variant of a page.
"""

from __future__ import annotations

from dataclasses import dataclass

ENVIRON_KEY = "carnet.static_build"


@dataclass(frozen=True)
class StaticBuild:
    """The static variant of a page: Pagefind search, and where the contact form posts."""

    contact_action: str = ""  # "" (mailto and profile links), "netlify", or an address

    @property
    def netlify_forms(self) -> bool:
        return self.contact_action == "netlify"


def static_build(request) -> StaticBuild | None:
    return request.META.get(ENVIRON_KEY)
