from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """The outcome registry (issue 24): what biopsies and follow-ups showed, and the pathway's yield."""

    name = "workup.registry"
    label = "registry"
    verbose_name = "Outcome registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workup.registry import signals  # noqa: F401 - indexes a case in the registry when it is reviewed
