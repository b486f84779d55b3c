"""Product photos: only real JPEG/PNG/WebP images get in, and what is stored is our own re-encoding.

The upload is decoded by Pillow (never trusted by its name or content type), its dimensions are
checked from the header before the pixels are decoded (a 20000×20000 PNG of a few kilobytes would
take 400 million pixels of memory), and the picture is re-encoded as JPEG: whatever else the file
carried (markup after the image, text chunks, EXIF) is left behind."""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 24_000_000  # a 6000×4000 phone photo; anything bigger is refused before decoding
MAX_SIDE = 1600          # stored photos are scaled down to this
THUMB_SIDE = 400
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB on white: transparent PNG/WebP corners become the white of a shop card."""
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    return picture.convert("RGB")


def photo_process(upload) -> ProcessedPhoto:
    """Check and re-encode an uploaded photo; ValidationError (with a message for the form) if it
    is not one we accept."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The photo is too large: at most 5 MB."), code="too_large")
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The photo is too large: at most 5 MB."), code="too_large")
    not_image = ValidationError(
        _("This file is not a photo we accept: upload a JPEG, PNG or WebP image."),
        code="not_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))  # reads the header only
            if picture.format not in ALLOWED_FORMATS:
                raise not_image
            width, height = picture.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo has too many pixels (%(width)s×%(height)s); at most 24 megapixels."),
                    code="too_many_pixels", params={"width": width, "height": height})
            picture.load()  # the real decoding: a truncated or forged file fails here
            picture = ImageOps.exif_transpose(picture)
            picture = _flatten(picture)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, ValueError, SyntaxError, EOFError):
        raise not_image from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        image=ContentFile(_encode(picture), name=f"{stem}.jpg"),
        thumbnail=ContentFile(_encode(thumb), name=f"{stem}_thumb.jpg"),
        width=picture.width, height=picture.height,
    )
