"""Make the PDF font shipped in onevisit/fonts/ from Debian's fonts-noto-cjk (SIL OFL 1.1).

    apt-get install fonts-noto-cjk
    uv run python tools/subset_font.py

Keeps the Simplified Chinese face of Noto Sans CJK for every character that GBK encodes (all
20,902 ideographs of CJK Unified Ideographs, so any name or address in a register prints), plus
Latin, punctuation, full-width forms, arrows, box drawing and circled numbers. Layout tables go:
fpdf2 sets horizontal text and needs none of them. The result is about 6 MB instead of 19 MB.
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_FACE = 2  # Noto Sans CJK SC in Debian's collection
TARGET = Path(__file__).resolve().parent.parent / "onevisit" / "fonts" / "NotoSansSC-GBK.otf"

EXTRA_RANGES = [
    (0x20, 0x7F),  # ASCII
    (0xA0, 0x180),  # Latin-1 and Latin Extended-A
    (0x2000, 0x2070),  # general punctuation
    (0x2190, 0x2200),  # arrows
    (0x2460, 0x2500),  # circled numbers
    (0x2500, 0x2600),  # box drawing, geometric shapes
    (0x2700, 0x27C0),  # dingbats: ✔ ✘
    (0x3000, 0x3040),  # CJK punctuation
    (0xFF00, 0xFFF0),  # full-width forms
]


def gbk_characters() -> set[str]:
    found: set[str] = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                found.add(bytes([high, low]).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return found


def main() -> None:
    wanted = gbk_characters()
    for start, end in EXTRA_RANGES:
        wanted |= {chr(code) for code in range(start, end)}
    font = TTCollection(str(SOURCE)).fonts[SC_FACE]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]  # keeps the copyright and licence notices
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "vhea", "vmtx", "VORG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in wanted))
    subsetter.subset(font)
    font.save(str(TARGET))
    print(f"{TARGET}: {TARGET.stat().st_size:,} bytes, {len(wanted):,} characters")


if __name__ == "__main__":
    main()
