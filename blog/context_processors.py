from django.conf import settings
from django.utils.translation import get_language


def site(request):
    """The site's identity and the page's canonical address, for every template.

    No user data is hard-coded in templates: the name, tagline and author come from settings.
    """
    page = request.GET.get("page", "")
    canonical = request.build_absolute_uri(request.path)
    if page.isdigit() and int(page) > 1:
        canonical += f"?page={int(page)}"
    return {
        "site_name": settings.CARNET_SITE_NAME,
        "site_tagline": settings.CARNET_TAGLINE,
        "site_author": settings.CARNET_AUTHOR,
        "canonical_url": canonical,
        "LANGUAGE_CODE": get_language(),
    }
