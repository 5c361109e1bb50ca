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


@register(Tags.security, deploy=True)
def proxy_count_configured(app_configs, **kwargs) -> list[Warning]:
    """Production serves through a TLS proxy: without PROXY_COUNT every client has the proxy's address."""
    if settings.PROXY_COUNT:
        return []
    return [Warning(
        "Client addresses are taken from the socket, which behind a proxy is the proxy's own address: "
        "the per-address sign-in limit would then pause sign-in for everyone at once.",
        hint="Set DJANGO_PROXY_COUNT to the number of proxies that append to X-Forwarded-For "
             "(1 for a single load balancer), or silence workup.W002 if clients really connect directly.",
        id="workup.W002",
    )]


@register(Tags.security, deploy=True)
def ehr_origins_use_https(app_configs, **kwargs) -> list[Warning]:
    """A SMART issuer or frame origin over plain HTTP lets anyone on the path read or change the launch."""
    plain = []
    for ehr in settings.SMART_EHRS if isinstance(settings.SMART_EHRS, list) else []:
        if not isinstance(ehr, dict):
            continue
        for url in [ehr.get("iss"), *(ehr.get("frame_origins") or [])]:
            if isinstance(url, str) and url.lower().startswith("http://"):
                plain.append(url)
    if not plain:
        return []
    return [Warning(
        f"SMART_EHRS names plain-HTTP addresses: {', '.join(plain)}. A launch from them, its tokens and the "
        "patient's labs travel unencrypted, and a page at such an origin may frame the screen.",
        hint="Use the EHR's https:// issuer and frame origins.",
        id="workup.W003",
    )]


@register(Tags.security, deploy=True)
def cds_cors_not_any_origin(app_configs, **kwargs) -> list[Warning]:
    """CORS `*` lets a script on any web page call the CDS services from a user's browser."""
    if "*" not in settings.CDS_CORS_ALLOWED_ORIGINS:
        return []
    return [Warning(
        "CDS_CORS_ALLOWED_ORIGINS is '*': a script on any web page may call the CDS services from a browser.",
        hint="List the origins of the browser-based CDS Clients (the EHRs) instead.",
        id="workup.W004",
    )]
