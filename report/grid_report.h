#pragma once
// The grid head's report (boundary::GridReport, computed by the engine's
// ReportBook) as Markdown and HTML: self-contained but for the map picture,
// referenced by `pngName` relative to the report (empty: no picture). Plain
// text, no Qt: built in every configuration.
#include <string>

#include "boundary/report.h"

namespace gridtwin::report {

std::string toMarkdown(const boundary::GridReport& r, const std::string& pngName);
std::string toHtml(const boundary::GridReport& r, const std::string& pngName);

}  // namespace gridtwin::report
