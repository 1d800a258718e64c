"""Measuring a zip before anything opens it. An xlsx or docx is a zip, and a small zip can
unpack to gigabytes (a 2 MB file of 2 GB). Pure Python, no Django: the spreadsheet reader and the
upload checks share it."""

from __future__ import annotations

import io
import zipfile

# A member that unpacks to more than this many times its packed size, beyond a first megabyte,
# is a bomb: XML of real workbooks and documents packs at 5 to 30 times.
MAX_SWELL = 200


class ArchiveProblem(ValueError):
    """The zip cannot be read, or unpacks past a limit; `member` names where."""

    def __init__(self, member: str, readable: bool = True) -> None:
        super().__init__(member)
        self.member = member
        self.readable = readable


def zip_members(data: bytes, max_unpacked: int) -> list[str]:
    """The member names of a zip that unpacks to at most `max_unpacked` bytes in all, none of
    its members swelling past MAX_SWELL; read from its directory, nothing unpacked."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ArchiveProblem(type(error).__name__, readable=False) from None
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 + MAX_SWELL * max(member.compress_size, 1):
            raise ArchiveProblem(member.filename)
        if total > max_unpacked:
            raise ArchiveProblem(f"{total // (1024 * 1024)} MB")
    return [member.filename for member in members]
