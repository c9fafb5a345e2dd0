"""The "Editors" group: what the people who run the content may do in the admin.

``EDITOR_MODELS`` is the one list of what editors manage; users and groups are never on it. The
group is brought in step with it after every ``migrate`` (``tips.apps``), as Django creates
permissions then too.
"""

from django.contrib.auth.management import create_permissions

EDITORS_GROUP = "Editors"
ACTIONS = ("add", "change", "delete", "view")
EDITOR_MODELS = {
    "tips": ["topic", "category", "tip", "tipsource", "guru"],
    "comments": ["comment"],
    "requests_app": ["tiprequest"],
    # Read-only in the admin (followers/admin.py): editors see addresses, and may delete one.
    "followers": ["subscription", "followedtopic"],
}


def sync_editors_group(apps) -> None:
    """Create the Editors group if needed and give it every permission on ``EDITOR_MODELS``.

    Takes an app registry: a migration's historical ``apps`` or ``django.apps.apps``. Safe to run
    any number of times.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    for app_label, model_names in EDITOR_MODELS.items():
        try:
            app_config = apps.get_app_config(app_label)
        except LookupError:
            continue  # an app whose models a later migration adds
        # Permissions are normally created after all migrations have run; create them now. A
        # migration's app configs are stubs that create_permissions would skip without this flag.
        is_stub = not getattr(app_config, "models_module", None)
        if is_stub:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if is_stub:
            app_config.models_module = None
        codenames = [f"{action}_{model}" for model in model_names for action in ACTIONS]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
