from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class WorkupConfig(AppConfig):
    name = "workup"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workup import checks  # noqa: F401 - registers the app's system checks
        from workup.ehr.cds_auth import trusted_clients

        try:  # a server that cannot read its trusted CDS Clients must not start and answer anyone
            trusted_clients()
        except Exception as problem:
            raise ImproperlyConfigured(f"CDS_TRUSTED_CLIENTS_FILE cannot be read: {problem}") from problem
