"""The receipt's QR code (the register's link to the receipt on the OFD's site), drawn by segno
as an SVG data: URL: an <img>, so the page's CSP applies to none of the SVG's own attributes,
and WeasyPrint reads it for the PDF."""

import segno


def qr_data_url(text: str) -> str:
    # A module of 0.5 mm prints as four dots of a 203 dpi head: a phone reads it off the paper.
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)
