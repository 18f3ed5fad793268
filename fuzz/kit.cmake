# SPDX-License-Identifier: ISC
# The C adapter kit's parser against the C++ parser of the same text form (spec/model.md MODEL-001).
refloop_add_fuzz_target(kit_parse SOURCES ${CMAKE_CURRENT_LIST_DIR}/kit_parse.cpp
  LIBS refloop_adapter_kit refloop_model_loop)
