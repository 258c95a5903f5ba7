#!/usr/bin/python3
"""
Builds public/fonts/claude-glyphs.woff2: the few symbols Claude Code draws that common monospace
fonts lack (⏸ ⏵ ⏹ ⏺ ⏻ from Noto Sans Symbols 2, OFL; ⎿ U+23BF drawn here as a corner), so the
dashboard never shows an empty box. Run once by hand (needs python3-fonttools, python3-brotli):
  npm pack @fontsource/noto-sans-symbols-2@5.3.0 && tar xzf fontsource-noto-sans-symbols-2-5.3.0.tgz
  scripts/glyph-font.py package/files/noto-sans-symbols-2-symbols-400-normal.woff2
"""
import sys
from fontTools import subset
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

FROM_NOTO = [0x23F4, 0x23F5, 0x23F6, 0x23F7, 0x23F8, 0x23F9, 0x23FA, 0x23FB, 0x23FC, 0x23FD, 0x23FE]
OUT = "public/fonts/claude-glyphs.woff2"

opts = subset.Options()
opts.flavor = "woff2"
opts.layout_features = []
opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
font = TTFont(sys.argv[1])
sub = subset.Subsetter(opts)
sub.populate(unicodes=FROM_NOTO)
sub.subset(font)

# ⎿: a vertical stroke at the cell's centre from the top down to the middle, then right to the edge
# (as terminal fonts draw it, like a rounded-off └). Advance 600/1000 = one monospace cell.
for tag in ("vmtx", "vhea"):
    if tag in font:
        del font[tag]  # horizontal text only
for tag in ("glyf", "hmtx", "cmap", "maxp", "name", "hhea"):
    font[tag]  # load before the glyph order changes
adv, stroke, mid_x, mid_y, top = 600, 70, 265, 250, 1000
pen = TTGlyphPen(None)
pen.moveTo((mid_x, top))
pen.lineTo((mid_x + stroke, top))
pen.lineTo((mid_x + stroke, mid_y + stroke))
pen.lineTo((adv, mid_y + stroke))
pen.lineTo((adv, mid_y))
pen.lineTo((mid_x, mid_y))
pen.closePath()
name = "uni23BF"
font["glyf"].glyphs[name] = pen.glyph()
order = font.getGlyphOrder() + [name]
font.setGlyphOrder(order)
font["glyf"].glyphOrder = order
font["hmtx"][name] = (adv, mid_x)
for table in font["cmap"].tables:
    if table.isUnicode():
        table.cmap[0x23BF] = name
font["maxp"].numGlyphs = len(order)
for rec in font["name"].names:
    if rec.nameID in (1, 4):
        rec.string = "claude-remote glyphs"
font.flavor = "woff2"
font.save(OUT)
print(OUT, "with", len(order), "glyphs")
