"""System checks for this app's own settings (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def cds_trusted_clients_configured(app_configs, **kwargs) -> list[Warning]:
    """In production the CDS Hooks service should only answer CDS Clients it can authenticate."""
    if settings.CDS_TRUSTED_CLIENTS_FILE:
        return []
    return [Warning(
        "The CDS Hooks service answers calls from any client.",
        hint="Set CDS_TRUSTED_CLIENTS_FILE to the JSON list of trusted CDS Clients and their public keys.",
        id="workup.W001",
    )]
