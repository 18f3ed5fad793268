# SPDX-License-Identifier: ISC
# Loop fuzz targets: the operation text parser, and the interpreter that runs decoded sequences on
# the real loop (every compiled backend) against model/loop.
refloop_add_fuzz_target(loop_ops_parse SOURCES ${CMAKE_CURRENT_LIST_DIR}/loop_ops_parse.cpp
  LIBS refloop_model_loop)
refloop_add_fuzz_target(loop_ops_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/loop_ops_run.cpp
  LIBS refloop_loopcheck)
if(TARGET replay_loop_ops_run)
  target_include_directories(replay_loop_ops_run PRIVATE ${PROJECT_SOURCE_DIR}/property/loop)
endif()
if(TARGET fuzz_loop_ops_run)
  target_include_directories(fuzz_loop_ops_run PRIVATE ${PROJECT_SOURCE_DIR}/property/loop)
endif()
