"""The PDF renderer moved to bibarys.pdf (the till prints too, and sits below analytics); the
names stay importable from here."""

from bibarys.pdf import (BASE_URL, FONTS, BlockedResource, fetcher_class, font_urls,  # noqa: F401
                         make_fetcher, render_pdf, static_file_for, static_roots)
