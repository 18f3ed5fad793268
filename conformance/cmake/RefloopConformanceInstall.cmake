# SPDX-License-Identifier: ISC
# `cmake --install` of the conformance suite (conformance/README.md, "Installed"): the loop
# runners, the case files and known deviations, the C adapter kit (header and library), the
# template adapter, and the conformance libraries with their headers and a CMake function,
# refloop_add_conformance_runner(NAME SOURCES...) (RefloopConformance.cmake), so an in-process
# C++ adapter builds against an install through find_package(refloop). Included by
# impl/cmake/RefloopInstall.cmake when the tests (and so the runners) are built.
set(conformance_share ${CMAKE_INSTALL_DATADIR}/refloop/conformance)
set(conformance_include ${CMAKE_INSTALL_INCLUDEDIR}/refloop/conformance)
set(conformance_source ${PROJECT_SOURCE_DIR}/conformance)

set(runners refloop-conformance refloop-conformance-refloop-iv)
if(TARGET refloop-conformance-ivykis)
  list(APPEND runners refloop-conformance-ivykis)
endif()
install(TARGETS ${runners} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The runners find these next to their executable (<prefix>/bin/../share/refloop/conformance).
install(DIRECTORY ${conformance_source}/cases ${conformance_source}/expectations DESTINATION ${conformance_share})
install(FILES ${conformance_source}/suites/loop/main.cpp DESTINATION ${conformance_share}/runner)
install(FILES ${conformance_source}/adapters/template-c/iv_adapter.c ${conformance_source}/adapters/template-c/iv_probes.c
              ${conformance_source}/adapters/template-c/README.md
        DESTINATION ${conformance_share}/template-c)

set(conformance_libraries refloop_conformance_framework refloop_model_loop refloop_judge refloop_conformance_loop_cases
    refloop_conformance_process_adapter refloop_conformance_loop_core refloop_adapter_kit)
foreach(library IN LISTS conformance_libraries)
  string(REGEX REPLACE "^refloop_" "" export_name ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${export_name})
endforeach()
install(TARGETS ${conformance_libraries} EXPORT refloopConformanceTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/refloop/adapter-kit)
install(EXPORT refloopConformanceTargets NAMESPACE refloop:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/refloop)
# The function finds the share folder relative to itself, so a moved install still works.
file(RELATIVE_PATH CONFORMANCE_SHARE_FROM_CONFIG /root/${CMAKE_INSTALL_LIBDIR}/cmake/refloop /root/${conformance_share})
configure_file(${conformance_source}/cmake/RefloopConformance.cmake ${PROJECT_BINARY_DIR}/RefloopConformance.cmake @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/RefloopConformance.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/refloop)
# The headers, flat as the runner includes them ("loop_adapter.hpp"), and the model's by area ("loop/ops.hpp").
foreach(folder IN ITEMS framework suites/loop adapters/process)
  install(DIRECTORY ${conformance_source}/${folder}/ DESTINATION ${conformance_include} FILES_MATCHING PATTERN "*.hpp"
          PATTERN selftest EXCLUDE)
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/model/ DESTINATION ${conformance_include}/model FILES_MATCHING PATTERN "*.hpp")

if(REFLOOP_TESTING)
  # Installs this build into a scratch prefix, builds the out-of-tree project install-test/ (a C
  # adapter on the installed kit, a runner from refloop_add_conformance_runner) and runs a case.
  add_test(NAME install.conformance
    COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${conformance_source}/cmake/install-test
      -DPREFIX=${PROJECT_BINARY_DIR}/install-conformance -DSANITIZERS=${REFLOOP_SANITIZERS}
      -DCOVERAGE=${REFLOOP_COVERAGE} -DCC=${CMAKE_C_COMPILER} -DCXX=${CMAKE_CXX_COMPILER}
      -P ${conformance_source}/cmake/install-test/run.cmake)
  set_tests_properties(install.conformance PROPERTIES LABELS unit TIMEOUT 600)
endif()
