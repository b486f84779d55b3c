"""The demo products' photos, drawn with Pillow (no downloads) and shared by every product of a
kind under DEMO_PHOTO_DIR, which the services never delete."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

DEMO_PHOTO_DIR = "products/demo"  # shared drawn photos: services never delete files under it


def _font(size):
    from PIL import ImageFont

    for path in (Path(settings.BASE_DIR) / "static/fonts/DejaVuSans-Bold.ttf",
                 Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")):
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _draw(shape: str, colour: tuple, letter: str, variant: int):
    """A 640×640 shop tile: a soft background, the category's shape and the product's initial."""
    from PIL import Image, ImageDraw

    side = 640
    r, g, b = colour
    light = tuple(int(c + (255 - c) * (0.86 - variant * 0.03)) for c in colour)
    image = Image.new("RGB", (side, side), light)
    draw = ImageDraw.Draw(image)
    deep = (int(r * .85), int(g * .85), int(b * .85))
    draw.ellipse((-120, 420, 300, 840), fill=tuple(min(255, c + 12) for c in light))
    draw.ellipse((420, -140, 780, 220), fill=tuple(max(0, c - 10) for c in light))
    c = side // 2
    if shape == "carton":
        draw.polygon([(c - 110, 230), (c - 60, 150), (c + 60, 150), (c + 110, 230)], fill=deep)
        draw.rounded_rectangle((c - 110, 230, c + 110, 520), 16, fill=colour)
        draw.rectangle((c - 110, 300, c + 110, 380), fill=(255, 255, 255))
    elif shape == "wedge":
        draw.polygon([(c - 170, 470), (c + 170, 470), (c + 170, 260), (c - 170, 380)], fill=colour)
        for x, y, rad in ((c - 60, 420, 22), (c + 60, 370, 30), (c + 120, 430, 16)):
            draw.ellipse((x - rad, y - rad, x + rad, y + rad), fill=light)
    elif shape == "loaf":
        draw.rounded_rectangle((c - 190, 250, c + 190, 470), 110, fill=colour)
        for dx in (-90, 0, 90):
            draw.line((c + dx - 30, 290, c + dx + 30, 360), fill=deep, width=14)
    elif shape == "steak":
        draw.ellipse((c - 190, 220, c + 170, 480), fill=colour)
        draw.ellipse((c + 60, 300, c + 150, 390), fill=(255, 240, 235))
        draw.ellipse((c + 85, 325, c + 125, 365), fill=deep)
    elif shape == "fruit":
        draw.ellipse((c - 150, 210, c + 150, 510), fill=colour)
        draw.ellipse((c + 10, 150, c + 110, 220), fill=(34, 197, 94))
        draw.line((c, 215, c - 10, 160), fill=(120, 72, 20), width=12)
    elif shape == "bottle":
        draw.rounded_rectangle((c - 36, 110, c + 36, 190), 10, fill=deep)
        draw.rounded_rectangle((c - 95, 180, c + 95, 540), 40, fill=colour)
        draw.rectangle((c - 95, 300, c + 95, 400), fill=(255, 255, 255))
    elif shape == "bag":
        draw.rounded_rectangle((c - 150, 200, c + 150, 520), 30, fill=colour)
        draw.polygon([(c - 150, 230), (c - 110, 160), (c + 110, 160), (c + 150, 230)], fill=deep)
    elif shape == "candy":
        draw.polygon([(c - 210, 270), (c - 120, 340), (c - 210, 410)], fill=deep)
        draw.polygon([(c + 210, 270), (c + 120, 340), (c + 210, 410)], fill=deep)
        draw.ellipse((c - 130, 250, c + 130, 430), fill=colour)
    else:  # spray
        draw.rounded_rectangle((c - 90, 240, c + 90, 540), 30, fill=colour)
        draw.rectangle((c - 30, 170, c + 30, 240), fill=deep)
        draw.polygon([(c - 30, 170), (c - 110, 150), (c - 110, 190), (c - 30, 200)], fill=deep)
    # The product's initial on a round label in the corner, like a shelf sticker.
    bx, by, rad = 512, 512, 82
    draw.ellipse((bx - rad + 5, by - rad + 7, bx + rad + 5, by + rad + 7), fill=deep)
    draw.ellipse((bx - rad, by - rad, bx + rad, by + rad), fill=(255, 255, 255))
    font = _font(96)
    box = draw.textbbox((0, 0), letter, font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    draw.text((bx - w // 2 - box[0], by - h // 2 - box[1]), letter, font=font, fill=deep)
    return image


def _photo_files(key: str, shape: str, colour: tuple, letter: str, variant: int) -> tuple[str, str]:
    """The shared files of one drawn tile (written once, reused by every product with the key)."""
    image_name = f"{DEMO_PHOTO_DIR}/{key}.jpg"
    thumb_name = f"{DEMO_PHOTO_DIR}/{key}_thumb.jpg"
    if not default_storage.exists(image_name):
        picture = _draw(shape, colour, letter, variant)
        for name, size in ((image_name, None), (thumb_name, 400)):
            copy = picture if size is None else picture.resize((size, size))
            buffer = io.BytesIO()
            copy.save(buffer, format="JPEG", quality=82, optimize=True)
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, io.BytesIO(buffer.getvalue()))
    return image_name, thumb_name
