from django.conf import settings


def site(request):
    """The site's identity, for every template (no user data hard-coded in templates)."""
    return {
        "site_name": settings.CARNET_SITE_NAME,
        "site_tagline": settings.CARNET_TAGLINE,
        "site_author": settings.CARNET_AUTHOR,
    }
