cmake_policy(SET CMP0057 NEW)  # if(... IN_LIST ...)
# The house rules on includes, as a ctest script (cmake -P):
#   -DENGINE_DIR=<engine>   nothing under engine/ includes Qt or OpenSceneGraph;
#   -DSOURCE_DIR=<root>     each C library is included only inside its module:
#       GEOS (geos_c.h, geos/...)                   engine/geo
#       GDAL (gdal*.h, ogr*.h, cpl_*.h)             engine/store
#       PROJ (proj.h, proj/...)                     engine/crs
#       libpq (libpq-fe.h)                          engine/pgstore
#       Boost.Beast/Asio (boost/beast, boost/asio)  service
#       IFC++ (ifcpp/, carve/), tinygltf, libcitygml engine/bim
#     and no CMakeLists outside the module links the library's target, so that
#     no other module can reach the library at all.
# Exempt: the tests and benchmarks below, which use the library itself as an
# independent oracle or as the anchor the engine is measured against, or to
# write fixtures the engine then reads. A new exemption names its file here.

if(DEFINED ENGINE_DIR)
  file(GLOB_RECURSE sources "${ENGINE_DIR}/*.h" "${ENGINE_DIR}/*.hpp" "${ENGINE_DIR}/*.cpp" "${ENGINE_DIR}/*.txt")
  set(bad "")
  foreach(f IN LISTS sources)
    file(STRINGS "${f}" lines REGEX "#[ \t]*include[ \t]*[<\"](Q[A-Za-z]+|Qt[A-Za-z]*/|osg[A-Za-z]*/)")
    file(STRINGS "${f}" cm REGEX "find_package\\((Qt[0-9]|OpenSceneGraph)")
    if(lines OR cm)
      list(APPEND bad "${f}: ${lines}${cm}")
    endif()
  endforeach()
  list(LENGTH sources n)
  if(n EQUAL 0)
    message(FATAL_ERROR "no engine sources found under ${ENGINE_DIR}")
  endif()
  if(bad)
    message(FATAL_ERROR "engine/ must not depend on Qt or OpenSceneGraph:\n${bad}")
  endif()
  message(STATUS "checked ${n} engine files: no Qt or OSG")
endif()

if(DEFINED SOURCE_DIR)
  # library | its module | include pattern | CMake target pattern
  set(libraries GEOS GDAL PROJ libpq Beast IFCPP TinyGLTF citygml)
  set(GEOS_module "engine/geo")
  set(GEOS_include "geos_c\\.h|geos/[^>\"]*|geos\\.h")
  set(GEOS_target "GEOS::")
  set(GDAL_module "engine/store")
  set(GDAL_include "gdal[a-z_]*\\.h|ogr[a-z_]*\\.h|cpl_[a-z_]*\\.h")
  set(GDAL_target "GDAL::")
  set(PROJ_module "engine/crs")
  set(PROJ_include "proj\\.h|proj/[^>\"]*|proj_[a-z_]*\\.h")
  set(PROJ_target "PROJ::")
  set(libpq_module "engine/pgstore")
  set(libpq_include "libpq-fe\\.h|libpq/[^>\"]*")
  set(libpq_target "PkgConfig::LIBPQ|PostgreSQL::")
  set(Beast_module "service")
  set(Beast_include "boost/beast[^>\"]*|boost/asio[^>\"]*")
  set(Beast_target "Boost::boost|Boost::system")
  set(IFCPP_module "engine/bim")
  set(IFCPP_include "ifcpp/[^>\"]*|carve/[^>\"]*")
  set(IFCPP_target "IFCPP_LIBRARY|CARVE_LIBRARY")
  set(TinyGLTF_module "engine/bim")
  set(TinyGLTF_include "tiny_gltf\\.h")
  set(TinyGLTF_target "TinyGLTF::")
  set(citygml_module "engine/bim")
  set(citygml_include "citygml/[^>\"]*")
  set(citygml_target "citygml::")

  set(exempt
    # GDAL writes the shapefile, GeoJSON and CRS-less fixtures boundary then reads.
    tests/unit/boundary/coverage_test.cpp tests/unit/boundary/CMakeLists.txt
    # GDAL reads the generated GeoPackage back as an independent check of the writer.
    tests/integration/generate_test.cpp tests/integration/CMakeLists.txt
    # GDAL builds the broken and foreign sources the PostGIS ingest must refuse.
    tests/postgis/postgis_test.cpp tests/postgis/CMakeLists.txt
    # The anchors: GEOS's prepared geometry (index), GDAL's own GeoPackage reader (store).
    tests/bench/index_bench.cpp tests/bench/store_bench.cpp tests/bench/CMakeLists.txt
    # The service's tests talk HTTP to it with a Beast client of their own.
    tests/service/http_client.h tests/service/service_test.cpp tests/service/CMakeLists.txt
    # IFC++'s own reader is the anchor of bim.*.
    tests/bench/bim_bench.cpp
    tests/service/wire_test.cpp
    # This script, which names every pattern.
    tests/arch/check_engine_includes.cmake)

  set(dirs engine cli viewer layers data tests service)
  set(files "")
  foreach(d IN LISTS dirs)
    file(GLOB_RECURSE found "${SOURCE_DIR}/${d}/*.h" "${SOURCE_DIR}/${d}/*.hpp" "${SOURCE_DIR}/${d}/*.cpp"
         "${SOURCE_DIR}/${d}/*.c" "${SOURCE_DIR}/${d}/CMakeLists.txt" "${SOURCE_DIR}/${d}/*.cmake")
    list(APPEND files ${found})
  endforeach()
  list(LENGTH files n)
  if(n EQUAL 0)
    message(FATAL_ERROR "no sources found under ${SOURCE_DIR}")
  endif()
  set(bad "")
  foreach(f IN LISTS files)
    file(RELATIVE_PATH rel "${SOURCE_DIR}" "${f}")
    if(rel IN_LIST exempt)
      continue()
    endif()
    foreach(lib IN LISTS libraries)
      string(FIND "${rel}" "${${lib}_module}/" at)
      if(at EQUAL 0)
        continue()
      endif()
      file(STRINGS "${f}" lines REGEX "#[ \t]*include[ \t]*[<\"](${${lib}_include})[>\"]")
      if(f MATCHES "(CMakeLists\\.txt|\\.cmake)$")
        file(STRINGS "${f}" targets REGEX "${${lib}_target}")
        list(APPEND lines ${targets})
      endif()
      if(lines)
        list(APPEND bad "${rel}: ${lib} belongs to ${${lib}_module}: ${lines}")
      endif()
    endforeach()
  endforeach()
  if(bad)
    string(REPLACE ";" "\n" bad "${bad}")
    message(FATAL_ERROR "a C library used outside its module:\n${bad}")
  endif()
  message(STATUS "checked ${n} files: GEOS, GDAL, PROJ, libpq and Beast each stay in their module")
endif()
