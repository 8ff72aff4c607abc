"""The admin index's count of unread contact messages."""

from django import template

from blog.models import ContactMessage

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    user = context["request"].user
    if not user.has_perm("blog.view_contactmessage"):
        return 0
    return ContactMessage.objects.filter(read=False).count()
