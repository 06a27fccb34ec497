#pragma once
// Writing CSV: the one field quoting for every command and export that
// writes CSV (query, geocode, the viewer's area export). RFC 4180: a field
// holding a comma, a double quote or a line break (LF or CR) is put in double
// quotes with its quotes doubled; any other field is written as it is. UTF-8
// passes through. Pure and thread-safe.
#include <string>
#include <string_view>

namespace gridtwin::core {

std::string csvField(std::string_view s);

}  // namespace gridtwin::core
