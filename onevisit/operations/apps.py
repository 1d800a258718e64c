from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The site-wide room at the top: the commands that run the whole platform (demo, serve,
    import, keys, backup, restore) and the import page. It imports every domain app; none imports
    it."""

    name = "onevisit.operations"
    label = "operations"
