# SPDX-License-Identifier: ISC
# Installs the build at BUILD_DIR into PREFIX, builds the out-of-tree project SOURCE_DIR against it
# with the build's own compilers, and runs the installed loop cases twice on the adapter the
# project built from the installed kit and template: with the runner the project made through
# refloop_add_conformance_runner, and with the installed refloop-conformance --adapter (which
# finds the installed cases next to itself).
include(${CMAKE_CURRENT_LIST_DIR}/../../../impl/cmake/install-into-prefix.cmake)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${consumer} -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_C_COMPILER=${CC}
    -DCMAKE_CXX_COMPILER=${CXX} "-DCMAKE_CXX_FLAGS=${flags}" "-DCMAKE_C_FLAGS=${flags}")
run(${CMAKE_COMMAND} --build ${consumer})
# A case only the install has: the installed runner must read the installed cases, not the
# source tree it was built from (spec/adapter.md ADAPTER-017).
set(cases ${PREFIX}/share/refloop/conformance/cases/loop)
file(COPY_FILE ${cases}/LOOP-001-1.case ${cases}/INSTALLED-001-1.case)
run(${consumer}/consumer-runner --backend poll)
execute_process(COMMAND ${PREFIX}/bin/refloop-conformance --adapter "${consumer}/iv_adapter poll" --name installed-iv/poll
                RESULT_VARIABLE rc OUTPUT_VARIABLE tap)
message("${tap}")
if(NOT rc EQUAL 0 OR NOT tap MATCHES "\nok [0-9]+ - installed-iv/poll INSTALLED-001-1\n")
  message(FATAL_ERROR "the installed refloop-conformance did not pass the installed cases (status ${rc})")
endif()
