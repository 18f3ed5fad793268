# SPDX-License-Identifier: ISC
# Fuzz targets of the skalibs-compatible C API (spec/time.md, TAICOMPAT): its scanners and
# unpackers, checked against the C++ ones of impl/time where they agree and against the
# documented differences where they do not.
if(TARGET refloop_skalibs)
  refloop_add_fuzz_target(skalibs_tain_scan SOURCES ${CMAKE_CURRENT_LIST_DIR}/skalibs_tain_scan.cpp
                          LIBS refloop::skalibs refloop::time)
endif()
