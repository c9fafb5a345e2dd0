"""Turning uploaded pictures into the sizes pages use, refusing anything that is not sane."""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

GURU_PHOTO_SIZE = 320
GURU_THUMBNAIL_SIZE = 96
TIP_IMAGE_WIDTH = 1200
# A tip body's pictures: the page's column is at most 856 px wide, so these serve it at 1x and 2x
# and phones at 1x to 3x (tips/markup.py's IMAGE_SIZES).
LARGE_WIDTH = 1600
MEDIUM_WIDTH = 960
SMALL_WIDTH = 480


def load_upload(upload) -> Image.Image:
    """Decode an upload completely, or raise a ValidationError that says what is wrong with it.

    Decoding every pixel (not just ``verify()``) is what catches truncated files, and turning
    Pillow's decompression-bomb warning into an error keeps a small file from expanding into
    gigabytes of memory.
    """
    if upload.size > settings.MAX_IMAGE_UPLOAD_BYTES:
        raise ValidationError(
            "This file is %(size)s; images can be at most %(limit)s.",
            code="file_too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MAX_IMAGE_UPLOAD_BYTES),
            },
        )
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        previous_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
        try:
            image = Image.open(upload)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(
                "This image has too many pixels to process safely. Please upload a smaller one.",
                code="image_too_large",
            ) from None
        except (OSError, SyntaxError, ValueError):
            raise ValidationError(
                "This file is not a valid image, or it is damaged or incomplete. "
                "Please upload a JPEG, PNG, GIF or WebP picture.",
                code="invalid_image",
            ) from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous_limit
    return ImageOps.exif_transpose(image)


def _jpeg(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name)


def square_jpeg(image: Image.Image, size: int, name: str) -> ContentFile:
    """Crop to the centre square and scale to ``size`` pixels: portraits."""
    return _jpeg(ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS), name)


def jpeg_within(image: Image.Image, width: int, name: str) -> ContentFile:
    """Scale down (never up) to at most ``width`` pixels wide, keeping the proportions."""
    copy = image.copy()
    copy.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    return _jpeg(copy, name)


def jpeg_at_width(image: Image.Image, width: int, name: str) -> ContentFile:
    """Scale to exactly ``width`` pixels wide (never up), however tall the picture is."""
    if image.width > width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return _jpeg(image, name)


def body_renditions(image: Image.Image, stem: str) -> dict:
    """A tip body picture's files: full (at most ``LARGE_WIDTH``), and narrower ones it needs.

    Returns the fields of a ``TipImage``: ``image``, ``medium``, ``small`` (None when the picture
    is not wider than that), ``width`` and ``height`` of the full one.
    """
    full = min(image.width, LARGE_WIDTH)
    fields = {
        "image": jpeg_at_width(image, full, f"{stem}.jpg"),
        "width": full,
        "height": max(1, round(image.height * full / image.width)),
    }
    for field, width in (("medium", MEDIUM_WIDTH), ("small", SMALL_WIDTH)):
        narrower = full > width
        fields[field] = jpeg_at_width(image, width, f"{stem}-{width}w.jpg") if narrower else None
    return fields
