# SPDX-License-Identifier: ISC
# OS-emulator fuzz targets (spec/os.md): operation sequences on the kqueue, /dev/poll and
# event-port emulators of model/os/, each checked against an obvious model after every operation.
refloop_add_fuzz_target(kqueue_ops_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/kqueue_ops_run.cpp
  LIBS refloop::os_emulators)
refloop_add_fuzz_target(devpoll_ops_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/devpoll_ops_run.cpp
  LIBS refloop::os_emulators)
refloop_add_fuzz_target(port_ops_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/port_ops_run.cpp
  LIBS refloop::os_emulators)
# OS-interface fuzz target (spec/os.md): bytes -> an OS-interface case (conformance/os's format)
# interpreted on the emulated column, over real pipes, sockets and files and a simulated clock.
refloop_add_fuzz_target(os_case_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/os_case_run.cpp
  LIBS refloop_os_suite)
