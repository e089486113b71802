#!/usr/bin/env python3
"""Makes BridgeSans-Regular.ttf and BridgeSans-Bold.ttf from Liberation Sans 1.07.4
(Debian's fonts-liberation: LiberationSans-Regular.ttf, LiberationSans-Bold.ttf).

What changes: the TrueType hinting is removed (the fpgm, prep and cvt tables and every
glyph's instructions). PDF viewers and printers scale outlines without it, and it was half
of each font: every invoice embeds (and deflates) a subset of both fonts, so the fonts'
size was a quarter of the time a PDF takes. The outlines, metrics and kerning are
untouched, so the text looks and measures the same.

Why the new name: the Liberation license (LICENSE, section 2) does not allow a modified
version to be distributed under Red Hat's "Liberation" trademark; its file names and font
names must not refer to it. Copyright and license notices are kept. The GPL font exception
of section 1(a) is extended to this version: a document embedding it is not by that
covered by the GPL.

Usage: python3 make-fonts.py DIR_WITH_LIBERATION_TTFS   (needs fontTools: pip install fonttools)
"""

import sys
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import ttProgram

FAMILY = "Bridge Sans"
# The origin, without the trademark (section 2 of the license).
DESCRIPTION = (
    "Red Hat's and Ascender's sans serif of 2007 (version 1.07.4) without TrueType "
    "hinting, for allegro-bridge's invoices."
)


def make(source: Path, style: str, out: Path) -> None:
    font = TTFont(source)
    for tag in ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX"):
        if tag in font:
            del font[tag]
    glyf = font["glyf"]
    for name in glyf.keys():
        glyph = glyf[name]
        if hasattr(glyph, "program"):
            empty = ttProgram.Program()
            empty.fromBytecode(b"")
            glyph.program = empty
    font["maxp"].maxSizeOfInstructions = 0
    names = font["name"]
    names.removeNames(nameID=7)  # "Liberation is a trademark of Red Hat, Inc. ..."
    postscript = FAMILY.replace(" ", "") + ("" if style == "Regular" else f"-{style}")
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    for name_id, value in (
        (1, FAMILY),
        (3, f"allegro-bridge - {full}"),
        (4, full),
        (6, postscript),
        (10, DESCRIPTION),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    font.save(out)


def main() -> None:
    source = Path(sys.argv[1])
    here = Path(__file__).parent
    for style in ("Regular", "Bold"):
        make(source / f"LiberationSans-{style}.ttf", style, here / f"BridgeSans-{style}.ttf")


if __name__ == "__main__":
    main()
