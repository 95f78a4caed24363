// PNG screenshots: what is written reads back (libpng) pixel for pixel;
// an unwritable path is an error naming the file.
#include <doctest/doctest.h>

#include <png.h>

#include <cstdio>
#include <vector>

#include "frontend/png_writer.h"

using namespace sv;

TEST_CASE("a frame written as PNG reads back identically") {
  const unsigned w = 37, h = 11;
  std::vector<uint32_t> pixels(w * h);
  for (unsigned i = 0; i < w * h; ++i) pixels[i] = (i * 2654435761u) & 0xFFFFFF;
  const std::string path = "/tmp/sv_png_writer_test.png";
  REQUIRE(writePng(path, w, h, pixels.data()).empty());
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&img, path.c_str()));
  CHECK(img.width == w);
  CHECK(img.height == h);
  img.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(img));
  REQUIRE(png_image_finish_read(&img, nullptr, rgb.data(), 0, nullptr));
  unsigned wrong = 0;
  for (unsigned i = 0; i < w * h; ++i)
    wrong += (uint32_t{rgb[3 * i]} << 16 | uint32_t{rgb[3 * i + 1]} << 8 | rgb[3 * i + 2]) != pixels[i];
  CHECK(wrong == 0);
  std::remove(path.c_str());
}

TEST_CASE("an unwritable path is reported with the file's name") {
  uint32_t px = 0;
  const std::string err = writePng("/nonexistent-dir/shot.png", 1, 1, &px);
  CHECK(err.find("/nonexistent-dir/shot.png") != std::string::npos);
  CHECK(writePng("/tmp/sv_empty.png", 0, 0, &px).find("no picture") != std::string::npos);
}
