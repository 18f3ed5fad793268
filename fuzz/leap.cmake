# SPDX-License-Identifier: ISC
# Leap-second fuzz targets (spec/time.md LEAP): the leap-seconds.list parser. The target also
# hashes independently with impl/time's internal SHA-1, hence the private include folder.
refloop_add_fuzz_target(leap_file_parse SOURCES ${CMAKE_CURRENT_LIST_DIR}/leap_file_parse.cpp LIBS refloop::time)
foreach(target IN ITEMS replay_leap_file_parse fuzz_leap_file_parse)
  if(TARGET ${target})
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/impl/time)
  endif()
endforeach()
