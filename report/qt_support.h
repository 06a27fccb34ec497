#pragma once
// Private to report/: the process's headless Qt application and the CJK
// font, shared by the map painter and the PDF printer.
#include <QString>

#include "core/error.h"

namespace gridtwin::report::detail {

// Starts a QGuiApplication on the "offscreen" platform once, unless the host
// program has a Qt application already.
void ensureApplication();

// The family name of WenQuanYi Micro Hei, loaded from the file scripts/setup
// installs (fonts-wqy-microhei) once. Errors: kNotFound naming the file.
core::Result<QString> cjkFontFamily();

}  // namespace gridtwin::report::detail
