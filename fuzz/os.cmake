# SPDX-License-Identifier: ISC
# OS-emulator fuzz targets (spec/os.md): operation sequences on the /dev/poll and event-port
# emulators of model/os/, each checked against an obvious model after every operation.
refloop_add_fuzz_target(devpoll_ops_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/devpoll_ops_run.cpp
  LIBS refloop::os_emulators)
refloop_add_fuzz_target(port_ops_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/port_ops_run.cpp
  LIBS refloop::os_emulators)
