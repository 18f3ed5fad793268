# SPDX-License-Identifier: ISC
# ctest compat.ivykis.probe (spec/loop.md, IVAPI-001): runs each program in PROGRAMS (the probe
# built against refloop, and against upstream ivykis when it is installed) and requires exit
# status 0 and the same standard output from all of them.
set(reference "")
foreach(program IN LISTS PROGRAMS)
  execute_process(COMMAND ${program} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc
                  TIMEOUT 30)
  message(STATUS "${program} (exit ${rc}):\n${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${program} failed with ${rc}")
  endif()
  if(reference STREQUAL "")
    set(reference "${out}")
  elseif(NOT out STREQUAL reference)
    message(FATAL_ERROR "${program} printed something else than the first program")
  endif()
endforeach()
