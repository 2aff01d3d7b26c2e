"""The text of a PDF that Chromium printed, read with the standard library only (no PDF package is installed).

Chromium (Skia) writes each page's content as one Flate stream, draws text with fonts named in the page's
``/Resources /Font`` dictionary (one-byte codes, Type3 subsets of the CJK font, each with a ``/ToUnicode``
CMap) and marks ligatures and some ideographs with ``/ActualText``. That is enough to read the text back:
one line per text object (``BT`` … ``ET``: a table cell, a line of a paragraph), pages in order."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_TOKEN = re.compile(rb"/Span\s*<<\s*/ActualText\s*<([0-9A-Fa-f]*)>\s*>>\s*BDC|EMC|BT|ET|/(\w+)\s+[\d.]+\s+Tf"
                    rb"|<([0-9A-Fa-f]*)>\s*Tj|\[(.*?)\]\s*TJ", re.S)


class Pdf:
    def __init__(self, path: Path):
        self.bytes = Path(path).read_bytes()
        self.objects = {int(n): body for n, body in _OBJECT.findall(self.bytes)}
        self._cmaps: dict[int, dict[int, str]] = {}

    def stream(self, number: int) -> bytes:
        head, rest = self.objects[number].split(b"stream", 1)
        data = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
        return zlib.decompress(data) if b"FlateDecode" in head else data

    def pages(self) -> list[int]:
        kids = re.search(rb"/Type /Pages.*?/Kids \[([^\]]*)\]", self.bytes, re.S).group(1)
        return [int(n) for n in re.findall(rb"(\d+) 0 R", kids)]

    def font_families(self) -> set[str]:
        return {m.decode() for m in re.findall(rb"/FontFamily \(([^)]*)\)", self.bytes)}

    def _cmap(self, font: int) -> dict[int, str]:
        if font not in self._cmaps:
            found = re.search(rb"/ToUnicode (\d+) 0 R", self.objects[font])
            table: dict[int, str] = {}
            if found:
                text = self.stream(int(found.group(1)))
                for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
                    for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                        table[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
                for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
                    for low, high, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                        start = int(uni, 16)
                        for i, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                            table[code] = chr(start + i)
            self._cmaps[font] = table
        return self._cmaps[font]

    def page_text(self, page: int) -> str:
        body = self.objects[page]
        fonts = {name.decode(): int(n) for name, n in re.findall(rb"/(\w+) (\d+) 0 R", body.split(b"/Font", 1)[1])}
        content = b"".join(self.stream(int(n)) for n in
                           re.findall(rb"(\d+) 0 R", re.search(rb"/Contents (\[[^\]]*\]|\d+ 0 R)", body).group(1)))
        lines, line, font, actual = [], [], None, None
        for m in _TOKEN.finditer(content):
            token = m.group(0)
            if m.group(1) is not None:
                actual = bytes.fromhex(m.group(1).decode()).decode("utf-16-be")[1:]  # after the BOM
            elif token == b"EMC":
                if actual is not None:
                    line.append(actual)
                actual = None
            elif token == b"BT":
                line = []
            elif token == b"ET":
                lines.append("".join(line))
            elif m.group(2) is not None:
                font = fonts.get(m.group(2).decode())
            elif actual is None and font is not None:
                hexes = [m.group(3)] if m.group(3) is not None else re.findall(rb"<([0-9A-Fa-f]*)>", m.group(4))
                cmap = self._cmap(font)
                line += [cmap.get(b, "\ufffd") for h in hexes for b in bytes.fromhex(h.decode())]
        return "\n".join(lines)

    def text(self) -> list[str]:
        return [self.page_text(p) for p in self.pages()]
