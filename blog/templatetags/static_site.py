"""The admin index's « Publier le site statique » button: shown to those who may use it."""

from django import template
from django.conf import settings

from blog.roles import may_publish_static_site

register = template.Library()


@register.simple_tag(takes_context=True)
def may_publish_static(context) -> bool:
    return bool(settings.CARNET_STATIC_DIR) and may_publish_static_site(context["request"].user)
