"""What a cell's text may hide: characters that make a spreadsheet see a formula, and invisible characters.

Both sides use these rules: what we write is neutralised (``evalbook.output.tables``), what we read is
checked and, for the neutralising apostrophe, restored (``evalbook.inputs``).
"""

from __future__ import annotations

import re

# A cell starting with one of these is a formula to Excel, WPS and LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Right-to-left/left-to-right embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069),
# zero-width space / non-joiner / joiner (U+200B–U+200D), word joiner (U+2060) and a BOM inside text.
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]")
