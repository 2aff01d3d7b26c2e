"""Before openpyxl opens a workbook: its size, its zip members' stated size and what they really unpack
to (inflated piece by piece), so a zip bomb costs a few pieces of memory, whatever its directory says."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from evalbook.core.errors import Problem
from evalbook.excel.problems import Found

# A filled template is tens of kilobytes; anything near this is not a template (or is a zip bomb).
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
INFLATE_PIECE = 1 << 16                     # bytes inflated at a time while checking a workbook's parts


def check_size(path: Path, limit: int = MAX_UNCOMPRESSED_BYTES) -> list[Problem]:
    """Refuse a file that is not a zip or whose size, or its members' uncompressed size, exceeds ``limit``.

    The zip's directory states each member's size; a hostile file can understate them, and zipfile
    (so openpyxl) inflates a member in one piece before cutting it to the stated size. So every member
    is also inflated here, in small pieces, and must come to exactly its stated size: reading is then
    bounded by ``limit``, and a zip bomb costs a few pieces of memory, whatever its directory says.
    """
    found = Found(path.name)
    size = path.stat().st_size
    if size > limit:
        found.add((f"工作簿过大（{size} 字节，上限 {limit} 字节），不予读取；填好的模板通常不到 1 MB",
                   f"workbook too large ({size} bytes, limit {limit}); not read. A filled template is under 1 MB"))
        return found.problems
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > limit:
            found.add((f"工作簿解压后过大（{unpacked} 字节，上限 {limit} 字节），不予读取；可能是损坏或恶意文件",
                       f"workbook too large once unpacked ({unpacked} bytes, limit {limit}); not read: damaged or hostile file"))
            return found.problems
        with open(path, "rb") as handle:
            wrong = next((m for m in members if not _unpacks_as_stated(handle, m)), None)
    except (zipfile.BadZipFile, OSError, zlib.error, struct.error):
        found.add(("不是有效的 .xlsx 工作簿（请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”）",
                   "not a valid .xlsx workbook (save it from Excel as 'Excel Workbook (*.xlsx)')"))
        return found.problems
    if wrong is not None:
        found.add(("工作簿内的文件解压后与其记录的大小不符（或使用了 Excel 不用的压缩方式、加密），"
                   "不予读取；可能是损坏或恶意文件",
                   "a part of the workbook does not unpack to its stated size (or uses a compression or encryption Excel "
                   "does not write); not read: damaged or hostile file"), value=wrong.filename)
    return found.problems


def _unpacks_as_stated(handle, member: zipfile.ZipInfo) -> bool:
    """Whether ``member``'s data (stored, or deflated as Excel writes them) unpack to exactly ``file_size``.

    Inflated ``INFLATE_PIECE`` bytes at a time and given up as soon as it exceeds the stated size.
    """
    if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return False  # encrypted, or bzip2/lzma: zipfile would inflate those without any bound
    handle.seek(member.header_offset)
    local = handle.read(30)
    if local[:4] != b"PK\x03\x04":
        return False
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    handle.seek(member.header_offset + 30 + name_length + extra_length)
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size == member.file_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, data, produced = member.compress_size, b"", 0
    while not inflater.eof:
        if not data and left > 0:
            data = handle.read(min(INFLATE_PIECE, left))
            left -= len(data)
            if not data:
                return False  # the file ends inside the member
        out = inflater.decompress(data, INFLATE_PIECE)
        data = inflater.unconsumed_tail
        produced += len(out)
        if produced > member.file_size:
            return False
        if not out and not data and left <= 0:
            break  # nothing left to read and nothing more comes out: a cut-off stream
    return inflater.eof and produced == member.file_size
