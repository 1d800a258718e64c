"""What an uploaded file really is, judged by its content, never by the type it claims."""

from __future__ import annotations

import io
import warnings

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHOTOS = frozenset({"image/jpeg", "image/png", "image/webp"})
OFFICE = {".docx": DOCX, ".xlsx": XLSX}
# The largest picture taken: a 100-megapixel phone camera. A small file may claim far more (a
# 30000×30000 PNG of 109 KB), and decoding it would take gigabytes.
MAX_PIXELS = 100_000_000


class TooManyPixels(ValueError):
    """The picture claims more pixels than any camera takes: a decompression bomb."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
        self.megapixels = MAX_PIXELS // 1_000_000


def sniff(name: str, data: bytes) -> str | None:
    """The content type: a PDF, a .docx or .xlsx (a zip under that name), or an image that
    Pillow opens and verifies (`image/<format>`); None for anything else. A picture of more
    than MAX_PIXELS raises TooManyPixels."""
    if data.startswith(b"%PDF-"):
        return PDF
    for suffix, content_type in OFFICE.items():
        if name.lower().endswith(suffix) and data.startswith(b"PK\x03\x04"):
            return content_type
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                if image.width * image.height > MAX_PIXELS:
                    raise TooManyPixels(name)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooManyPixels(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, TooManyPixels):
            raise
        return None
    return f"image/{kind.lower()}" if kind else None


def too_many_pixels(error: TooManyPixels) -> str:
    return _("%(name)s: the picture has more than %(mp)s million pixels.") % {
        "name": error.name,
        "mp": error.megapixels,
    }
