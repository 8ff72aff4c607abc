"""What every template sees: the site's identity, its language, the page's canonical address."""

from django.utils.translation import get_language

from blog.publishing.flags import static_build
from blog.site import identity
from blog.site.stamps import public_state


def site(request):
    """The site's identity and the page's canonical address, for every template.

    No user data is hard-coded in templates: the identity comes from the admin's site identity
    (or the settings), read once per request (blog.site.identity).
    """
    canonical = request.build_absolute_uri(request.path)
    # Set by the list that served the page (lookups.page_or_404): templates render after
    # the view, so only a page number a list really served reaches the canonical address;
    # anywhere else ?page= is ignored.
    page = getattr(request, "carnet_page_number", 1)
    if page > 1:
        canonical += f"?page={page}"
    site = identity.load(request)
    return {
        "identity": site,
        "site_name": site.site_name,
        "site_tagline": site.tagline,
        "site_author": site.author_name,
        "canonical_url": canonical,
        # Bylines and the author box under a post: only on a site with several authors.
        "several_authors": public_state(request).site.several_authors,
        "LANGUAGE_CODE": get_language(),
        # Set only when build_static renders the page: its search and contact variants.
        "static_build": static_build(request),
    }
