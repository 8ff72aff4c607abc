# Admin authoring (issue 5): the publish permission and the two roles, « Auteur » and « Éditeur ».
from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHOR = "Auteur"
EDITOR = "Éditeur"
# (app_label, codename) pairs. An Auteur writes and previews drafts; an Éditeur also
# publishes, features, deletes, and looks after tags and redirects.
AUTHOR_PERMISSIONS = [
    ("blog", "add_post"),
    ("blog", "change_post"),
    ("blog", "view_post"),
    ("taggit", "view_tag"),
]
EDITOR_PERMISSIONS = AUTHOR_PERMISSIONS + [
    ("blog", "delete_post"),
    ("blog", "publish_post"),
    ("blog", "add_redirect"),
    ("blog", "change_redirect"),
    ("blog", "delete_redirect"),
    ("blog", "view_redirect"),
    ("taggit", "add_tag"),
    ("taggit", "change_tag"),
    ("taggit", "delete_tag"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); on a fresh
    # database they must exist now for the groups to get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in [(AUTHOR, AUTHOR_PERMISSIONS), (EDITOR, EDITOR_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[AUTHOR, EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0003_public_site"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="post",
            options={
                "get_latest_by": "pub_date",
                "ordering": ["-pub_date", "-id"],
                "permissions": [("publish_post", "Can publish, unpublish and feature posts")],
                "verbose_name": "post",
                "verbose_name_plural": "posts",
            },
        ),
        migrations.RunPython(create_roles, delete_roles),
    ]
