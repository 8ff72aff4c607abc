"""JSON-LD for the site's identity: ``WebSite`` for the site, ``Person`` for its author."""

from __future__ import annotations

import json

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

register = template.Library()

# Escapes that keep JSON inside <script> from closing it (as django.utils.html.json_script).
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def graph(identity, request, language: str) -> list[dict]:
    home = request.build_absolute_uri(reverse("blog:home"))
    website = {
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": identity.site_name,
        "description": identity.tagline or None,
        "url": home,
        "inLanguage": language,
    }
    items = [website]
    if identity.author_name:
        person = {
            "@type": "Person",
            "@id": f"{home}#author",
            "name": identity.author_name,
            "description": identity.bio or None,
            "url": home,
            "image": request.build_absolute_uri(identity.portrait_url)
            if identity.portrait_url
            else None,
            "sameAs": [link.url for link in identity.profiles] or None,
            "email": f"mailto:{identity.email}" if identity.email else None,
        }
        items.append({k: v for k, v in person.items() if v is not None})
        website["author"] = {"@id": person["@id"]}
    items[0] = {k: v for k, v in website.items() if v is not None}
    return items


@register.simple_tag(takes_context=True)
def site_json_ld(context):
    """schema.org WebSite (and Person when the author is named), escaped for <script>."""
    data = {
        "@context": "https://schema.org",
        "@graph": graph(
            context["identity"], context["request"], context.get("LANGUAGE_CODE", "fr")
        ),
    }
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    # Safe: JSON with <, > and & escaped, so it cannot close the script element.
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')
