# SPDX-License-Identifier: ISC
# Shared by the install tests (find-package-test/run.cmake, conformance's install-test/run.cmake),
# run with cmake -P: installs the build at BUILD_DIR into a fresh PREFIX and sets `flags` to the
# compiler flags a consumer needs to link what was installed (the build's sanitizers, coverage).
# `run(COMMAND...)` runs a command and stops the test when it fails.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

file(REMOVE_RECURSE ${PREFIX})
set(flags "")
if(SANITIZERS)
  set(flags "-fsanitize=${SANITIZERS}")
endif()
if(COVERAGE)
  set(flags "${flags} --coverage")
endif()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
set(consumer ${PREFIX}/consumer-build)
