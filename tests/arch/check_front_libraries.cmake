# The light front (cli/front.cpp) loads only what locate and transform need:
# its shared libraries (readelf -d, NEEDED) may be the C and C++ runtimes,
# PROJ, SQLite and GEOS, and nothing else (no GDAL, Qt, OpenSceneGraph,
# libpq, IFC++, ...): each one more is milliseconds of start-up on every run.
# cmake -DFRONT=<path to build/bin/gridtwin> -P check_front_libraries.cmake
find_program(READELF readelf REQUIRED)
execute_process(COMMAND ${READELF} -d ${FRONT} OUTPUT_VARIABLE dyn RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf -d ${FRONT} failed")
endif()
string(REGEX MATCHALL "Shared library: \\[[^]]+\\]" needed "${dyn}")
set(allowed "^(libc|libm|libstdc\\+\\+|libgcc_s|libproj|libsqlite3|libgeos_c)\\.so")
set(bad "")
foreach(entry IN LISTS needed)
  string(REGEX REPLACE "Shared library: \\[([^]]+)\\]" "\\1" lib "${entry}")
  if(NOT lib MATCHES "${allowed}")
    list(APPEND bad "${lib}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "the light front ${FRONT} loads ${bad}: link the code that needs it into "
                      "gridtwin-full only (cli/CMakeLists.txt, cli/front.cpp)")
endif()
list(LENGTH needed n)
message(STATUS "${FRONT}: ${n} shared libraries, all allowed")
