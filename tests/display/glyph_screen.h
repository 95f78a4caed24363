// Reads the text a console drew in a graphics mode (Linux's fbcon) back
// from a screenshot: the picture is cut into 8x16 cells from the top left,
// each cell's lit pixels (those differing from the screen's most common
// colour, the background) must equal a glyph of the font exactly.
#pragma once
#include <string>
#include <vector>

#include "png_reader.h"
#include "vga_font.h"

namespace sv::test {

struct GlyphScreen {
  unsigned cols = 0, rows = 0;
  std::vector<std::string> lines;  // '?' for a cell that is no glyph, ' ' for an empty one
  unsigned unknown = 0;            // cells that are no glyph (the cursor, pictures)
  unsigned glyphs = 0;             // cells holding a non-blank glyph
  bool contains(const std::string& text) const;
};

// Glyphs that draw the same pixels (space and NUL and 0xFF, say) read as
// the lowest printable ASCII code among them.
GlyphScreen readGlyphScreen(const PngImage& image, const VgaFont8x16& font);

}  // namespace sv::test
