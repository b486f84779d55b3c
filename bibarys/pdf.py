"""PDF reports drawn by WeasyPrint from our templates.

WeasyPrint fetches nothing from outside: StaticOnlyFetcher answers data: URLs and the app's own
static files (by static URL, or by file:// inside a static folder) and refuses everything else,
whatever a product name or a note contains. Templates autoescape, so user text is text.
The fonts are the bundled DejaVu Sans (static/fonts/), which covers Kazakh letters.
Every app that prints (analytics reports, the till's receipts and shift reports) uses render_pdf;
it lives in bibarys, the lowest layer, so the till below analytics can print too."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

BASE_URL = "https://bibarys.invalid/"
FONTS = {"regular": "fonts/DejaVuSans.ttf", "bold": "fonts/DejaVuSans-Bold.ttf"}


class BlockedResource(ValueError):
    """A URL the PDF may not fetch."""


def static_roots() -> list[Path]:
    """The folders whose files a PDF may read: the project's static folders and STATIC_ROOT."""
    roots = [Path(p) for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _inside_static(path: Path) -> Path | None:
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_file():
        return None
    for root in static_roots():
        if resolved.is_relative_to(root):
            return resolved
    return None


def static_file_for(url: str) -> Path | None:
    """The local static file a URL names, or None when it is anything else."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return None
        return _inside_static(Path(unquote(parts.path)))
    if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(
            settings.STATIC_URL):
        relative = unquote(parts.path[len(settings.STATIC_URL):])
        if not relative or ".." in relative.split("/") or relative.startswith("/"):
            return None
        found = finders.find(relative)
        if found:
            return _inside_static(Path(found)) or Path(found).resolve()
        if settings.STATIC_ROOT:
            return _inside_static(Path(settings.STATIC_ROOT) / relative)
    return None


def _data_url(url: str) -> tuple[bytes, str]:
    header, _, payload = url[5:].partition(",")
    mime = header.split(";")[0] or "text/plain"
    body = base64.b64decode(payload) if header.endswith(";base64") else unquote_to_bytes(payload)
    return body, mime


def fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Lets WeasyPrint read data: URLs and our static files; remembers every request."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            self.requested.append(url)
            if url.startswith("data:"):
                body, mime = _data_url(url)
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            path = static_file_for(url)
            if path is None:
                self.refused.append(url)
                raise BlockedResource(f"Blocked resource: {url[:80]}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticOnlyFetcher


def make_fetcher():
    return fetcher_class()()


def font_urls() -> dict:
    """file:// URLs of the bundled fonts (the fetcher allows them: they are static files)."""
    urls = {}
    for key, relative in FONTS.items():
        found = finders.find(relative) or (Path(settings.STATIC_ROOT) / relative)
        urls[key] = Path(found).resolve().as_uri()
    return urls


def render_pdf(template_name: str, context: dict, *, fetcher=None) -> bytes:
    """The template rendered to A4 PDF bytes, fetching only what StaticOnlyFetcher allows."""
    from weasyprint import HTML

    html = render_to_string(template_name, {
        "STORE_NAME": settings.STORE_NAME, "fonts": font_urls(), **context})
    return HTML(string=html, base_url=BASE_URL,
                url_fetcher=fetcher or make_fetcher()).write_pdf()
