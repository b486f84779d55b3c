"""Hostile files, made on the fly (nothing binary is committed): what an attacker, or an
unlucky supplier spreadsheet, sends to the upload and import forms."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

SCRIPT = b"<script>alert('polyglot')</script>"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(width: int = 64, height: int = 64, *, colour: tuple = (200, 40, 40)) -> bytes:
    """A small, valid RGB PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 64, *, colour: tuple = (40, 160, 60)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def pixel_bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A 20000×20000 PNG of a few dozen kilobytes: 400 million pixels once decoded (a
    decompression bomb). Black 1-bit rows, compressed as a stream so this never holds them."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 100) for _ in range(height // 100)]
    parts.append(compressor.flush())
    data = b"".join(parts)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))


def polyglot_png_html() -> bytes:
    """A valid PNG that is also an HTML page: markup after IEND and in a text chunk. A browser
    sniffing it, or a server serving it back as-is, would run the script."""
    image = png(32, 32)
    iend = image.rindex(b"IEND") - 4
    text = _chunk(b"tEXt", b"Comment\x00" + SCRIPT)
    return image[:iend] + text + image[iend:] + b"<html><body>" + SCRIPT + b"</body></html>"


def gif_js_polyglot() -> bytes:
    """GIF89a header that is also valid JavaScript (the classic GIFAR / GIF-JS trick)."""
    return b"GIF89a/*\x01\x00\x01\x00\x00\xff\x00,*/=1;alert(document.domain);//" + b"\x00;" * 4


def not_an_image() -> bytes:
    return b"#!/bin/sh\necho pwned\n" + os.urandom(64)


def html_as_jpeg() -> bytes:
    return b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"


def oversized_png(megabytes: int = 12) -> bytes:
    """A real image whose file is bigger than any photo we accept (uncompressed noise)."""
    from PIL import Image

    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 1
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Spreadsheets for the stock import


def _xlsx(sheet_xml: bytes, *, extra: dict | None = None) -> bytes:
    files = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
            b'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
            b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
            b'"xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
            b'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"'
            b'/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            b'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
            b'"worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    files.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def billion_laughs_xlsx() -> bytes:
    """An XLSX whose sheet XML declares nested entities (10^9 'lol's once expanded)."""
    entities = [b'<!ENTITY lol0 "lol">']
    for n in range(1, 10):
        refs = b"".join(b"&lol%d;" % (n - 1) for _ in range(10))
        entities.append(b'<!ENTITY lol%d "%s">' % (n, refs))
    sheet = (b'<?xml version="1.0"?><!DOCTYPE worksheet [' + b"".join(entities) + b']>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
             b'</sheetData></worksheet>')
    return _xlsx(sheet)


def zip_bomb_xlsx(uncompressed_mb: int = 300) -> bytes:
    """An XLSX whose sheet inflates to `uncompressed_mb` megabytes (of blanks inside a cell)."""
    buffer = io.BytesIO()
    base = _xlsx(b"")
    with zipfile.ZipFile(io.BytesIO(base)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                        b'<is><t>')
            chunk = b" " * (1024 * 1024)
            for _ in range(uncompressed_mb):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return buffer.getvalue()
