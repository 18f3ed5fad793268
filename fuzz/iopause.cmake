# SPDX-License-Identifier: ISC
# iopause fuzz target (spec/iopause.md): bytes -> a world of real pipes and socketpairs, a
# deadline, a stamp and a simulated clock; all three implementations and iopause_stamp against
# model/iopause.
refloop_add_fuzz_target(iopause_world SOURCES ${CMAKE_CURRENT_LIST_DIR}/iopause_world.cpp
  LIBS refloop::iopause refloop_model_iopause)
