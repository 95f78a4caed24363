#include "png_reader.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>

namespace sv::test {

PngImage readPng(const std::string& path) {
  PngImage img;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return img;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  std::vector<uint8_t> row;
  if (png && info && !setjmp(png_jmpbuf(png))) {
    png_init_io(png, f);
    png_read_info(png, info);
    if (png_get_color_type(png, info) == PNG_COLOR_TYPE_RGB && png_get_bit_depth(png, info) == 8) {
      const unsigned w = png_get_image_width(png, info), h = png_get_image_height(png, info);
      row.resize(size_t{w} * 3);
      img.pixels.resize(size_t{w} * h);
      for (unsigned y = 0; y < h; ++y) {
        png_read_row(png, row.data(), nullptr);
        for (unsigned x = 0; x < w; ++x)
          img.pixels[size_t{y} * w + x] = uint32_t{row[3 * x]} << 16 | uint32_t{row[3 * x + 1]} << 8 | row[3 * x + 2];
      }
      img.width = w, img.height = h;
    }
  }
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(f);
  return img;
}

}  // namespace sv::test
