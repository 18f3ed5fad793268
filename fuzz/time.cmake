# SPDX-License-Identifier: ISC
# Time-layer fuzz targets: one per scanner and unpacker of spec/time.md LABEL.
foreach(target IN ITEMS tai64n_text_scan timestamp_scan tai64na_text_scan tai64_unpack tai64n_unpack tai64na_unpack)
  refloop_add_fuzz_target(${target} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${target}.cpp LIBS refloop::time refloop_model_time)
endforeach()
