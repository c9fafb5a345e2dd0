from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "tipsite.editorial"
    label = "editorial"
    verbose_name = "Editorial desk"
