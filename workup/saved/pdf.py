"""HTML → PDF with xhtml2pdf (pure Python: no system libraries to install)."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from xhtml2pdf import pisa


class PdfRenderError(Exception):
    pass


def _static_path(uri: str, rel: str) -> str:
    """Resolve /static/… links to files on disk; nothing is ever fetched over the network."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if uri.startswith(prefix):
        name = uri.removeprefix(prefix)
        found = finders.find(name)
        if found:
            return str(Path(found))
        collected = Path(staticfiles_storage.path(name))  # hashed names after collectstatic
        if collected.is_file():
            return str(collected)
    raise PdfRenderError(f"Refusing to load {uri!r} into a PDF.")


def html_to_pdf(*, html: str) -> bytes:
    """Render an HTML document (with its /static/ stylesheet) to PDF bytes."""
    buffer = io.BytesIO()
    status = pisa.CreatePDF(html, dest=buffer, link_callback=_static_path, encoding="utf-8")
    if status.err:
        raise PdfRenderError(f"The PDF could not be rendered ({status.err} errors).")
    return buffer.getvalue()
