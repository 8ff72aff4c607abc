from django.utils.translation import get_language

from blog import identity


def site(request):
    """The site's identity and the page's canonical address, for every template.

    No user data is hard-coded in templates: the identity comes from the admin's site identity
    (or the settings), read once per request (blog.identity).
    """
    page = request.GET.get("page", "")
    canonical = request.build_absolute_uri(request.path)
    if page.isdigit() and int(page) > 1:
        canonical += f"?page={int(page)}"
    site = identity.load(request)
    return {
        "identity": site,
        "site_name": site.site_name,
        "site_tagline": site.tagline,
        "site_author": site.author_name,
        "canonical_url": canonical,
        "LANGUAGE_CODE": get_language(),
    }
