"""What an uploaded file really is, judged by its content, never by the type it claims."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHOTOS = frozenset({"image/jpeg", "image/png", "image/webp"})
OFFICE = {".docx": DOCX, ".xlsx": XLSX}


def sniff(name: str, data: bytes) -> str | None:
    """The content type: a PDF, a .docx or .xlsx (a zip under that name), or an image that
    Pillow opens and verifies (`image/<format>`); None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    for suffix, content_type in OFFICE.items():
        if name.lower().endswith(suffix) and data.startswith(b"PK\x03\x04"):
            return content_type
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return f"image/{kind.lower()}" if kind else None
