#include "frontend/sdl_scancodes.h"

namespace sv {

namespace {
// Set 2 make codes; 0xE0xx marks an extended key (IBM PS/2 Keyboard
// Technical Reference, scan code set 2 tables).
constexpr uint16_t kExtended = 0xE000;

constexpr std::array<uint16_t, SDL_NUM_SCANCODES> makeTable() {
  std::array<uint16_t, SDL_NUM_SCANCODES> t{};
  const uint8_t letters[26] = {0x1C, 0x32, 0x21, 0x23, 0x24, 0x2B, 0x34, 0x33, 0x43, 0x3B, 0x42, 0x4B, 0x3A,
                               0x31, 0x44, 0x4D, 0x15, 0x2D, 0x1B, 0x2C, 0x3C, 0x2A, 0x1D, 0x22, 0x35, 0x1A};
  for (int i = 0; i < 26; ++i) t[SDL_SCANCODE_A + i] = letters[i];
  const uint8_t digits[10] = {0x16, 0x1E, 0x26, 0x25, 0x2E, 0x36, 0x3D, 0x3E, 0x46, 0x45};  // 1..9, 0
  for (int i = 0; i < 10; ++i) t[SDL_SCANCODE_1 + i] = digits[i];
  const uint8_t fkeys[12] = {0x05, 0x06, 0x04, 0x0C, 0x03, 0x0B, 0x83, 0x0A, 0x01, 0x09, 0x78, 0x07};
  for (int i = 0; i < 12; ++i) t[SDL_SCANCODE_F1 + i] = fkeys[i];
  t[SDL_SCANCODE_RETURN] = 0x5A, t[SDL_SCANCODE_ESCAPE] = 0x76, t[SDL_SCANCODE_BACKSPACE] = 0x66;
  t[SDL_SCANCODE_TAB] = 0x0D, t[SDL_SCANCODE_SPACE] = 0x29, t[SDL_SCANCODE_MINUS] = 0x4E;
  t[SDL_SCANCODE_EQUALS] = 0x55, t[SDL_SCANCODE_LEFTBRACKET] = 0x54, t[SDL_SCANCODE_RIGHTBRACKET] = 0x5B;
  t[SDL_SCANCODE_BACKSLASH] = 0x5D, t[SDL_SCANCODE_NONUSHASH] = 0x5D, t[SDL_SCANCODE_SEMICOLON] = 0x4C;
  t[SDL_SCANCODE_APOSTROPHE] = 0x52, t[SDL_SCANCODE_GRAVE] = 0x0E, t[SDL_SCANCODE_COMMA] = 0x41;
  t[SDL_SCANCODE_PERIOD] = 0x49, t[SDL_SCANCODE_SLASH] = 0x4A, t[SDL_SCANCODE_CAPSLOCK] = 0x58;
  t[SDL_SCANCODE_SCROLLLOCK] = 0x7E, t[SDL_SCANCODE_NUMLOCKCLEAR] = 0x77, t[SDL_SCANCODE_NONUSBACKSLASH] = 0x61;
  t[SDL_SCANCODE_INTERNATIONAL1] = 0x51, t[SDL_SCANCODE_INTERNATIONAL3] = 0x6A;
  t[SDL_SCANCODE_LCTRL] = 0x14, t[SDL_SCANCODE_LSHIFT] = 0x12, t[SDL_SCANCODE_LALT] = 0x11;
  t[SDL_SCANCODE_RSHIFT] = 0x59;
  t[SDL_SCANCODE_LGUI] = kExtended | 0x1F, t[SDL_SCANCODE_RCTRL] = kExtended | 0x14;
  t[SDL_SCANCODE_RALT] = kExtended | 0x11, t[SDL_SCANCODE_RGUI] = kExtended | 0x27;
  t[SDL_SCANCODE_APPLICATION] = kExtended | 0x2F;
  // Keypad
  t[SDL_SCANCODE_KP_DIVIDE] = kExtended | 0x4A, t[SDL_SCANCODE_KP_MULTIPLY] = 0x7C;
  t[SDL_SCANCODE_KP_MINUS] = 0x7B, t[SDL_SCANCODE_KP_PLUS] = 0x79, t[SDL_SCANCODE_KP_ENTER] = kExtended | 0x5A;
  const uint8_t keypad[10] = {0x69, 0x72, 0x7A, 0x6B, 0x73, 0x74, 0x6C, 0x75, 0x7D, 0x70};  // 1..9, 0
  for (int i = 0; i < 10; ++i) t[SDL_SCANCODE_KP_1 + i] = keypad[i];
  t[SDL_SCANCODE_KP_PERIOD] = 0x71;
  // The navigation block
  t[SDL_SCANCODE_INSERT] = kExtended | 0x70, t[SDL_SCANCODE_HOME] = kExtended | 0x6C;
  t[SDL_SCANCODE_PAGEUP] = kExtended | 0x7D, t[SDL_SCANCODE_DELETE] = kExtended | 0x71;
  t[SDL_SCANCODE_END] = kExtended | 0x69, t[SDL_SCANCODE_PAGEDOWN] = kExtended | 0x7A;
  t[SDL_SCANCODE_RIGHT] = kExtended | 0x74, t[SDL_SCANCODE_LEFT] = kExtended | 0x6B;
  t[SDL_SCANCODE_DOWN] = kExtended | 0x72, t[SDL_SCANCODE_UP] = kExtended | 0x75;
  return t;
}
constexpr std::array<uint16_t, SDL_NUM_SCANCODES> kSet2 = makeTable();

Ps2Sequence sequenceOf(std::initializer_list<uint8_t> bytes) {
  Ps2Sequence s;
  for (uint8_t b : bytes) s.bytes[s.length++] = b;
  return s;
}
}  // namespace

Ps2Sequence ps2Set2Sequence(SDL_Scancode key, bool pressed) {
  if (key == SDL_SCANCODE_PAUSE)  // no break code at all
    return pressed ? sequenceOf({0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77}) : Ps2Sequence{};
  if (key == SDL_SCANCODE_PRINTSCREEN)  // a fake left shift around E0 7C
    return pressed ? sequenceOf({0xE0, 0x12, 0xE0, 0x7C}) : sequenceOf({0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12});
  if (key < 0 || key >= SDL_NUM_SCANCODES || !kSet2[key]) return {};
  const uint16_t code = kSet2[key];
  Ps2Sequence s;
  if (code & kExtended) s.bytes[s.length++] = 0xE0;
  if (!pressed) s.bytes[s.length++] = 0xF0;
  s.bytes[s.length++] = static_cast<uint8_t>(code);
  return s;
}

}  // namespace sv
