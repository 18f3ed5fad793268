# SPDX-License-Identifier: ISC
# Helpers shared by every test folder. Each test is its own ctest entry with a label, so
# `ctest -L unit` (or property, differential, fuzz-replay, conformance) selects one class.

include(GoogleTest)

# refloop_add_gtest(NAME LABEL SOURCES... [LIBS...] [TIMEOUT S] [PER_BACKEND])
#   One GoogleTest executable, registered as one ctest entry named NAME (so a crash in one test
#   binary cannot hide the others), with LABEL. PER_BACKEND: one entry per compiled backend
#   instead, NAME.<backend identifier> running the tests instantiated as EveryBackend/.../<id>,
#   plus NAME.others for the rest, so ctest -j runs backends side by side, each with its own
#   timeout and time in ctest's report. The entries' names are left in REFLOOP_ADDED_TESTS.
function(refloop_add_gtest name label)
  cmake_parse_arguments(arg "PER_BACKEND" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBS} refloop_warnings GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_features(${name} PRIVATE cxx_std_20)
  if(arg_PER_BACKEND)
    set(tests ${name}.others)
    add_test(NAME ${name}.others COMMAND ${name} --gtest_brief=1 --gtest_filter=-EveryBackend/*)
    foreach(backend IN LISTS REFLOOP_BACKENDS)
      string(REGEX REPLACE "[-~]" "_" id "${backend}")  # as refloop::backend_identifier
      add_test(NAME ${name}.${id} COMMAND ${name} --gtest_brief=1 --gtest_filter=EveryBackend/*/${id})
      list(APPEND tests ${name}.${id})
    endforeach()
  else()
    set(tests ${name})
    add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 600)
  endif()
  set_tests_properties(${tests} PROPERTIES LABELS ${label} TIMEOUT ${arg_TIMEOUT}
                       ENVIRONMENT "TZ=UTC")
  set(REFLOOP_ADDED_TESTS ${tests} PARENT_SCOPE)
endfunction()

# RapidCheck's seed under ctest. Fixed, so that ci/test is deterministic (the same sequences on
# every run of one build: a failure is the change's, never the draw's); other seeds explore more:
# `RC_PARAMS="seed=N" ctest -L property`, or configure with -DREFLOOP_PROPERTY_SEED=N.
set(REFLOOP_PROPERTY_SEED "20261203" CACHE STRING "RapidCheck seed of the property tests under ctest")

# refloop_set_rapidcheck_params(TESTS... MAX_SUCCESS N): the tests run N cases per property from
# REFLOOP_PROPERTY_SEED. RC_PARAMS from the environment is appended after these, and RapidCheck
# keeps the last value of a key, so `RC_PARAMS="max_success=100000" ctest -L property` runs more,
# `seed=` draws other cases, and `reproduce=` still works.
function(refloop_set_rapidcheck_params)
  cmake_parse_arguments(arg "" "MAX_SUCCESS" "TESTS" ${ARGN})
  set_property(TEST ${arg_TESTS} PROPERTY ENVIRONMENT_MODIFICATION
               "RC_PARAMS=string_prepend:max_success=${arg_MAX_SUCCESS} seed=${REFLOOP_PROPERTY_SEED} ")
endfunction()

# refloop_add_property(NAME SOURCES... [LIBS...] [MAX_SUCCESS N] [TIMEOUT S] [PER_BACKEND]): a
# RapidCheck + GoogleTest executable, label `property`, running N cases per property (default
# 1000; refloop_set_rapidcheck_params). TIMEOUT and PER_BACKEND as for refloop_add_gtest.
function(refloop_add_property name)
  cmake_parse_arguments(arg "PER_BACKEND" "MAX_SUCCESS;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT arg_MAX_SUCCESS)
    set(arg_MAX_SUCCESS 1000)
  endif()
  set(per_backend)
  if(arg_PER_BACKEND)
    set(per_backend PER_BACKEND)
  endif()
  refloop_add_gtest(${name} property SOURCES ${arg_SOURCES} LIBS ${arg_LIBS} rapidcheck_gtest rapidcheck
                    TIMEOUT ${arg_TIMEOUT} ${per_backend})
  refloop_set_rapidcheck_params(TESTS ${REFLOOP_ADDED_TESTS} MAX_SUCCESS ${arg_MAX_SUCCESS})
  set(REFLOOP_ADDED_TESTS ${REFLOOP_ADDED_TESTS} PARENT_SCOPE)
endfunction()

# refloop_add_fuzz_target(NAME SOURCES... [LIBS...])
#   fuzz/<NAME>.cpp defines LLVMFuzzerTestOneInput. Always builds `replay_<NAME>`, which links the
#   plain replay main and runs every file of fuzz/corpus/<NAME>/ through the target (ctest label
#   fuzz-replay). With REFLOOP_LIBFUZZER it also builds `fuzz_<NAME>` linked with libFuzzer.
set(REFLOOP_FUZZ_TARGETS "" CACHE INTERNAL "")
function(refloop_add_fuzz_target name)
  cmake_parse_arguments(arg "" "" "SOURCES;LIBS" ${ARGN})
  set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
  if(NOT REFLOOP_LIBFUZZER)
    add_executable(replay_${name} ${arg_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    target_link_libraries(replay_${name} PRIVATE ${arg_LIBS} refloop_warnings)
    target_compile_features(replay_${name} PRIVATE cxx_std_20)
    add_test(NAME fuzz-replay.${name} COMMAND replay_${name} ${corpus})
    set_tests_properties(fuzz-replay.${name} PROPERTIES LABELS fuzz-replay TIMEOUT 600)
  else()
    add_executable(fuzz_${name} ${arg_SOURCES})
    target_link_libraries(fuzz_${name} PRIVATE ${arg_LIBS})
    target_compile_features(fuzz_${name} PRIVATE cxx_std_20)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  endif()
  set(REFLOOP_FUZZ_TARGETS ${REFLOOP_FUZZ_TARGETS} ${name} CACHE INTERNAL "")
endfunction()

# refloop_add_area_folders([FIRST folder...] [EXCEPT folder...]): model/, property/ and
# conformance/ keep one folder per area, each with its own CMakeLists.txt; this adds every such
# folder, the FIRST ones in the order given (later folders use what they define), then the rest in
# name order, except those named in EXCEPT (added elsewhere).
function(refloop_add_area_folders)
  cmake_parse_arguments(PARSE_ARGV 0 areas "" "" "FIRST;EXCEPT")
  file(GLOB lists LIST_DIRECTORIES false RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/*/CMakeLists.txt)
  list(SORT lists)
  foreach(area IN LISTS areas_FIRST)
    add_subdirectory(${area})
  endforeach()
  foreach(list_file IN LISTS lists)
    get_filename_component(area ${list_file} DIRECTORY)
    if(NOT area IN_LIST areas_FIRST AND NOT area IN_LIST areas_EXCEPT)
      add_subdirectory(${area})
    endif()
  endforeach()
endfunction()

# refloop_add_model_tests(AREA LIBS...): the model's own tests, every *_test.cpp in the calling
# folder, as one ctest entry model.AREA (label unit).
function(refloop_add_model_tests area)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  if(REFLOOP_BUILD_TESTS AND tests)
    refloop_add_gtest(model.${area} unit SOURCES ${tests} LIBS ${ARGN})
  endif()
endfunction()

# refloop_add_header_model(AREA): a header-only model library refloop_model_AREA (include root
# model/, so sources write "AREA/foo_model.hpp") plus its tests.
function(refloop_add_header_model area)
  add_library(refloop_model_${area} INTERFACE)
  target_include_directories(refloop_model_${area} INTERFACE ${PROJECT_SOURCE_DIR}/model)
  target_compile_features(refloop_model_${area} INTERFACE cxx_std_20)
  refloop_add_model_tests(${area} refloop_model_${area})
endfunction()
