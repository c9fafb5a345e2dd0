"""The admin's two groups: what editors, who run the content, and gurus, who write it, may do.

``GROUPS`` is the one list of what each group may do, model by model; users and groups are never
on it. Each group is brought in step with it after every ``migrate`` (``tips.apps``), as Django
creates permissions then too.

Gurus get ``add``/``change``/``view`` on tips, and ``TipAdmin`` narrows that to their own tips
and the fields a writer owns; only ``publish_tip`` (editors) reviews, publishes and manages
anyone's tips.
"""

from django.contrib.auth.management import create_permissions

EDITORS_GROUP = "Editors"
GURUS_GROUP = "Gurus"
ACTIONS = ("add", "change", "delete", "view")
GROUPS = {
    EDITORS_GROUP: {
        "tips": {
            "topic": ACTIONS,
            "category": ACTIONS,
            "tip": (*ACTIONS, "publish"),
            "tipsource": ACTIONS,
            "tipimage": ACTIONS,
            "guru": ACTIONS,
            # Readers' votes are theirs: editors read them on the tip's page, never change them.
            "vote": ("view",),
        },
        "comments": {"comment": ACTIONS},
        "requests_app": {"tiprequest": ACTIONS},
        # Read-only in the admin (followers/admin.py): editors see addresses, and may delete one.
        "followers": {"subscription": ACTIONS, "followedtopic": ACTIONS},
    },
    GURUS_GROUP: {
        "tips": {
            "tip": ("add", "change", "view"),
            # The sources under their own tips' bodies (the tip's permissions limit which tips).
            "tipsource": ACTIONS,
            "tipimage": ACTIONS,
            # The tip form's category box asks the category list; the votes are the readers'
            # answers on the guru's own tips.
            "category": ("view",),
            "vote": ("view",),
        },
    },
}


def sync_groups(apps) -> None:
    """Create each group of ``GROUPS`` if needed and give it the permissions listed there.

    Takes an app registry: a migration's historical ``apps`` or ``django.apps.apps``. Safe to run
    any number of times; it only adds.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label in {label for models in GROUPS.values() for label in models}:
        _create_permissions(apps, app_label)
    for name, apps_models in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, models in apps_models.items():
            codenames = [
                f"{action}_{model}" for model, actions in models.items() for action in actions
            ]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def _create_permissions(apps, app_label: str) -> None:
    try:
        app_config = apps.get_app_config(app_label)
    except LookupError:
        return  # an app whose models a later migration adds
    # Permissions are normally created after all migrations have run; create them now. A
    # migration's app configs are stubs that create_permissions would skip without this flag.
    is_stub = not getattr(app_config, "models_module", None)
    if is_stub:
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    if is_stub:
        app_config.models_module = None
