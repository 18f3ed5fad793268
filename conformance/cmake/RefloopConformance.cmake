# SPDX-License-Identifier: ISC
# Installed with the conformance suite and loaded by find_package(refloop): building a loop runner
# for an in-process C++ adapter against an install.
#
#   refloop_add_conformance_runner(NAME SOURCES...)
#
# makes the executable NAME from the runner's main (share/refloop/conformance/runner/main.cpp) and
# SOURCES, which implement `available_columns` (conformance/suites/loop/columns.hpp) with the
# adapter's LoopAdapter (loop_adapter.hpp), linked with refloop::conformance_loop_core. It runs
# the installed loop cases (share/refloop/conformance/cases/loop; --cases for others) and reads
# the installed known deviations (share/refloop/conformance/expectations).
get_filename_component(REFLOOP_CONFORMANCE_SHARE "${CMAKE_CURRENT_LIST_DIR}/@CONFORMANCE_SHARE_FROM_CONFIG@" ABSOLUTE)

function(refloop_add_conformance_runner name)
  if(NOT ARGN)
    message(FATAL_ERROR "refloop_add_conformance_runner(${name} SOURCES...): no sources (an adapter and its available_columns)")
  endif()
  add_executable(${name} "${REFLOOP_CONFORMANCE_SHARE}/runner/main.cpp" ${ARGN})
  target_link_libraries(${name} PRIVATE refloop::conformance_loop_core)
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_compile_definitions(${name} PRIVATE
    REFLOOP_CONFORMANCE_DIR="${REFLOOP_CONFORMANCE_SHARE}"
    REFLOOP_CONFORMANCE_CASES="${REFLOOP_CONFORMANCE_SHARE}/cases/loop"
    REFLOOP_CONFORMANCE_VERSION="refloop ${refloop_VERSION}")
endfunction()
