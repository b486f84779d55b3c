"""PDF documents drawn by WeasyPrint from our own templates. The fetcher lets WeasyPrint read
data: URLs and our own static files only: a PDF never reaches out to the network or the disk
beyond the static folders, whatever a product name or note contains."""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

BASE_URL = "https://bibarys.invalid/"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(
                    settings.STATIC_URL):
                relative = unquote(parts.path[len(settings.STATIC_URL):])
                if ".." not in relative.split("/"):
                    found = finders.find(relative)
                    if found:
                        with open(found, "rb") as handle:
                            body = handle.read()
                        mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, body, {"Content-Type": mime})
            raise ValueError(f"Blocked resource: {url[:80]}")

    return StaticOnlyFetcher


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()()).write_pdf()
