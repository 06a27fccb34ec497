#pragma once
// HTML → PDF through Qt's text layout (QTextDocument + QPdfWriter), so CJK
// text is set in WenQuanYi Micro Hei (fonts-wqy-microhei, installed by
// scripts/setup) and embedded in the PDF. Runs headless: without a Qt
// application it starts one on the "offscreen" platform. This header
// includes no Qt, so the CLI can use it without Qt in its own code. A build
// without Qt has no PDF: htmlToPdf returns kUnsupported (map.h's kNoDrawing).
#include <string>

#include "core/error.h"

namespace gridtwin::report {

// Lays out `html` on A4 pages and writes `pdfPath` (to a temporary file,
// renamed on success). Relative image paths resolve against `baseDir`.
// Errors: kWriteFailed naming the path; kNotFound without the CJK font.
core::Result<void> htmlToPdf(const std::string& html, const std::string& baseDir,
                             const std::string& pdfPath);

}  // namespace gridtwin::report
