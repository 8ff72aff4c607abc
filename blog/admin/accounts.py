"""Users and groups: Django's own admins, their permissions named in the editor's language.

Django stores a permission's name in English when it makes it (« Can add post ») and shows it
as stored: the user and group forms listed a hundred English lines in a French admin. They
are named here from the permission's model (translated) and what it allows.
"""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Django's four default permissions, by the first word of their codename (add_post, …).
ACTIONS = {
    "add": _("Can add"),
    "change": _("Can change"),
    "delete": _("Can delete"),
    "view": _("Can view"),
}


def permission_label(permission: Permission) -> str:
    """« Blog | article | Peut modifier »: the content type's words, then the permission's."""
    action, _sep, model = permission.codename.partition("_")
    if action in ACTIONS and model == permission.content_type.model:
        name = str(ACTIONS[action])
    else:  # a model's own permission, named in its Meta through gettext_lazy
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


class TranslatedPermissions:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(TranslatedPermissions, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(TranslatedPermissions, auth_admin.GroupAdmin):
    pass
