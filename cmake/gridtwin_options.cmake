# Compile options shared by every gridtwin target: gridtwin_options is an
# INTERFACE target that each module links privately.
add_library(gridtwin_options INTERFACE)
target_compile_options(gridtwin_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(GRIDTWIN_DEVELOPER)
  target_compile_options(gridtwin_options INTERFACE -Werror)
endif()
if(GRIDTWIN_SANITIZE)
  target_compile_options(gridtwin_options INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(gridtwin_options INTERFACE -fsanitize=address,undefined)
endif()
if(GRIDTWIN_FUZZ)
  # Coverage feedback for libFuzzer in every module; the targets link
  # -fsanitize=fuzzer themselves (tests/fuzz).
  target_compile_options(gridtwin_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
if(GRIDTWIN_TSAN)
  target_compile_options(gridtwin_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(gridtwin_options INTERFACE -fsanitize=thread)
endif()

# gridtwin_module(NAME SOURCES ... DEPENDS ...): one static library per engine
# module, exported as gridtwin::NAME, with its include root at engine/.
function(gridtwin_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(gridtwin_${name} STATIC ${M_SOURCES})
  add_library(gridtwin::${name} ALIAS gridtwin_${name})
  target_include_directories(gridtwin_${name} PUBLIC ${PROJECT_SOURCE_DIR}/engine)
  target_link_libraries(gridtwin_${name} PUBLIC ${M_PUBLIC_DEPENDS}
    PRIVATE gridtwin_options ${M_PRIVATE_DEPENDS})
  if(GRIDTWIN_SANITIZE OR GRIDTWIN_TSAN OR GRIDTWIN_FUZZ)
    # Sanitizer link flags must reach whoever links the module.
    target_link_libraries(gridtwin_${name} INTERFACE gridtwin_options)
  endif()
endfunction()
