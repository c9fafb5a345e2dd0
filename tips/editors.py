"""The "Editors" group: what the people who run the content may do in the admin.

Each app's data migration calls :func:`grant_to_editors` for its own models, so the group grows
with the site and never includes users or groups.
"""

from django.contrib.auth.management import create_permissions

EDITORS_GROUP = "Editors"
ACTIONS = ("add", "change", "delete", "view")


def grant_to_editors(apps, app_label: str, model_names: list[str]) -> None:
    """Give the Editors group every permission on the named models (for RunPython migrations)."""
    # Permissions are normally created after all migrations have run; create them now to grant them.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    codenames = [f"{action}_{model}" for model in model_names for action in ACTIONS]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
