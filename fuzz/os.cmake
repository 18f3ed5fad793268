# SPDX-License-Identifier: ISC
# OS-interface fuzz target (spec/os.md): bytes -> an OS-interface case (conformance/os's format)
# interpreted on the emulated column, over real pipes, sockets and files and a simulated clock.
refloop_add_fuzz_target(os_case_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/os_case_run.cpp
  LIBS refloop_os_suite)
