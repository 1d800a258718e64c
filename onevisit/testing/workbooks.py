"""Workbooks as a hostile or careless program writes them, for the import tests: a table of shared
strings of a given size, and a <dimension> that lies about the rows."""

from __future__ import annotations

import io
import random
import re
import zipfile

from openpyxl import Workbook

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_GLYPHS = "聊城轴承电缆化工机械有限公司东昌府临清阳谷茌平高唐冠县莘县东阿经济技术开发区新材料科技"


def many_strings_workbook(megabytes: int, rows: int = 2000) -> bytes:
    """Two columns (统一社会信用代码, 企业名称) of `rows` rows whose cells name strings spread over
    a shared-strings table of `megabytes` MB of distinct 30-character texts. The sheet's
    <dimension> claims two rows."""
    rnd = random.Random(megabytes)  # noqa: S311 - filler text
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        count = 2
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode())
            table.write("<si><t>统一社会信用代码</t></si><si><t>企业名称</t></si>".encode())
            written = 0
            while written < megabytes * 1024 * 1024:
                texts = ("".join(rnd.choices(_GLYPHS, k=30)) for _ in range(1000))
                chunk = "".join(f"<si><t>{text}</t></si>" for text in texts).encode()
                written += table.write(chunk)
                count += 1000
            table.write(b"</sst>")
        step = max(1, (count - 4) // rows)
        cells = [
            f'<row r="{r + 2}"><c r="A{r + 2}" t="s"><v>{2 + r * step}</v></c>'
            f'<c r="B{r + 2}" t="s"><v>{3 + r * step}</v></c></row>'
            for r in range(rows)
        ]
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
            '<dimension ref="A1:B2"/><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            + "".join(cells)
            + "</sheetData></worksheet>",
        )
    return out.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's <dimension> replaced by `ref` (e.g. "A1:D2")."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), content
                )
            target.writestr(item.filename, content)
    return out.getvalue()


def workbook(headers: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
