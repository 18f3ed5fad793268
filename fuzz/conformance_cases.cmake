# SPDX-License-Identifier: ISC
# Conformance fuzz targets: the case readers of the three suites (conformance/cases/<suite>/),
# which read files third parties write. Any input is a case or a clear refusal naming the line.
refloop_add_fuzz_target(loop_case_parse SOURCES ${CMAKE_CURRENT_LIST_DIR}/loop_case_parse.cpp
  LIBS refloop_conformance_loop_cases)
refloop_add_fuzz_target(iopause_case_parse SOURCES ${CMAKE_CURRENT_LIST_DIR}/iopause_case_parse.cpp
  LIBS refloop_conformance_iopause_cases)
refloop_add_fuzz_target(tai_case_parse SOURCES ${CMAKE_CURRENT_LIST_DIR}/tai_case_parse.cpp
  LIBS refloop_conformance_tai_cases)
