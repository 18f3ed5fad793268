# SPDX-License-Identifier: ISC
# Extra tests of the ivykis C API (included by impl/compat/CMakeLists.txt; spec/loop.md IVAPI):
#  - ivykis_c_header_test.c joins unit.compat.ivykis as a C99 translation unit (IVAPI-001);
#  - ivykis_probe.c, an ivykis-style program, is built twice, against refloop's <iv.h> and, when
#    Debian's libivykis-dev is installed, against ivykis itself; compat.ivykis.probe runs both and
#    requires the same output (IVAPI-001: source compatibility, same behaviour).
target_sources(unit.compat.ivykis PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/ivykis_c_header_test.c)
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/ivykis_c_header_test.c PROPERTIES
  COMPILE_OPTIONS "-std=c99;-pedantic")
target_include_directories(unit.compat.ivykis PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
find_package(Threads REQUIRED)
target_link_libraries(unit.compat.ivykis PRIVATE Threads::Threads)

if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/ivykis_probe.c)
  add_executable(ivykis_probe_refloop ivykis_probe.c)
  target_link_libraries(ivykis_probe_refloop PRIVATE refloop::ivykis)
  set(probe_args $<TARGET_FILE:ivykis_probe_refloop>)

  find_library(REFLOOP_UPSTREAM_IVYKIS ivykis)
  find_path(REFLOOP_UPSTREAM_IV_H iv.h)
  if(REFLOOP_UPSTREAM_IVYKIS AND REFLOOP_UPSTREAM_IV_H)
    add_executable(ivykis_probe_upstream ivykis_probe.c)
    target_include_directories(ivykis_probe_upstream PRIVATE ${REFLOOP_UPSTREAM_IV_H})
    target_link_libraries(ivykis_probe_upstream PRIVATE ${REFLOOP_UPSTREAM_IVYKIS})
    list(APPEND probe_args $<TARGET_FILE:ivykis_probe_upstream>)
  endif()
  add_test(NAME compat.ivykis.probe
           COMMAND ${CMAKE_COMMAND} "-DPROGRAMS=${probe_args}"
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/ivykis_probe_compare.cmake)
  set_tests_properties(compat.ivykis.probe PROPERTIES LABELS unit TIMEOUT 120)
endif()
