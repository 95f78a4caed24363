#include "frontend/png_writer.h"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

namespace sv {

std::string writePng(const std::string& path, unsigned width, unsigned height, const uint32_t* pixels) {
  if (!width || !height) return "screenshot '" + path + "': the screen has no picture";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return "screenshot '" + path + "': " + std::strerror(errno);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  std::vector<uint8_t> row(size_t{width} * 3);
  std::string error;
  // libpng reports errors by longjmp; nothing with a destructor is created
  // between here and the calls that can fail.
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    error = "screenshot '" + path + "': libpng could not write the image";
  } else {
    png_init_io(png, f);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < height; ++y) {
      for (unsigned x = 0; x < width; ++x) {
        const uint32_t p = pixels[size_t{y} * width + x];
        row[3 * x] = static_cast<uint8_t>(p >> 16), row[3 * x + 1] = static_cast<uint8_t>(p >> 8), row[3 * x + 2] = static_cast<uint8_t>(p);
      }
      png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
  }
  png_destroy_write_struct(&png, &info);
  if (std::fclose(f) != 0 && error.empty()) error = "screenshot '" + path + "': " + std::strerror(errno);
  return error;
}

}  // namespace sv
