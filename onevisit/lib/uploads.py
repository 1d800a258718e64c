"""What an uploaded file really is, judged by its content, never by the type it claims."""

from __future__ import annotations

import io
import re
import warnings

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from onevisit.lib.archives import ArchiveProblem, zip_members

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHOTOS = frozenset({"image/jpeg", "image/png", "image/webp"})
# An Office file is a zip with a content-types list and its main part; unpacked, no document
# handed in as evidence needs more than this.
OFFICE = {".docx": (DOCX, "word/document.xml"), ".xlsx": (XLSX, "xl/workbook.xml")}
MAX_OFFICE_UNPACKED = 100 * 1024 * 1024
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
    """The content type: a whole PDF, a .docx or .xlsx that holds what such a file holds and
    unpacks within MAX_OFFICE_UNPACKED, or an image that Pillow opens and verifies
    (`image/<format>`); None for anything else. A picture of more than MAX_PIXELS raises
    TooManyPixels."""
    if data.startswith(b"%PDF-"):
        return PDF if _whole_pdf(data) else None
    for suffix, (content_type, main_part) in OFFICE.items():
        if name.lower().endswith(suffix) and data.startswith(b"PK\x03\x04"):
            return content_type if _office(data, main_part) else None
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


def _whole_pdf(data: bytes) -> bool:
    """A PDF as a writer ends one: a version in its header, then a cross-reference (table or
    stream) that `startxref` points to, and the end-of-file marker in its last kilobyte. A file
    cut short in transfer or one that only starts like a PDF fails."""
    tail = data[-1024:]
    return (
        re.match(rb"%PDF-[12]\.\d", data) is not None
        and b"%%EOF" in tail
        and re.search(rb"startxref\s+\d+\s+%%EOF", tail) is not None
    )


def _office(data: bytes, main_part: str) -> bool:
    try:
        members = set(zip_members(data, MAX_OFFICE_UNPACKED))
    except ArchiveProblem:
        return False
    return "[Content_Types].xml" in members and main_part in members


def too_many_pixels(error: TooManyPixels) -> str:
    return _("%(name)s: the picture has more than %(mp)s million pixels.") % {
        "name": error.name,
        "mp": error.megapixels,
    }
