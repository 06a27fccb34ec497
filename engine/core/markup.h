#pragma once
// Writing XML and HTML text: the one escaper for the grid reports' HTML and
// Markdown (report/) and the QGIS styles and projects (layers/qgis_style).
// `&`, `<`, `>`, `"` and `'` become entities, so the result is safe in
// element text and in attribute values quoted either way; UTF-8 passes
// through. Pure and thread-safe.
#include <string>
#include <string_view>

namespace gridtwin::core {

std::string markupEscape(std::string_view s);

}  // namespace gridtwin::core
