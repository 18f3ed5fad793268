# SPDX-License-Identifier: ISC
# install + export so find_package(refloop) works from an install prefix, plus refloop.pc.
include(CMakePackageConfigHelpers)

install(TARGETS ${REFLOOP_LIBRARIES} EXPORT refloopTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/impl/include/refloop DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/impl/include/compat DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/refloop)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/refloop)
install(EXPORT refloopTargets NAMESPACE refloop:: DESTINATION ${config_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/refloopConfig.cmake.in
  ${PROJECT_BINARY_DIR}/refloopConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/refloopConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/refloopConfig.cmake ${PROJECT_BINARY_DIR}/refloopConfigVersion.cmake
        DESTINATION ${config_dir})

# pkg-config: link order follows dependency order (the umbrella lists areas low to high).
set(pc_libs "")
foreach(lib IN LISTS REFLOOP_LIBRARIES)
  if(NOT lib STREQUAL "refloop")
    string(PREPEND pc_libs "-l${lib} ")
  endif()
endforeach()
# Relocatable: the prefix is found relative to the .pc file itself, so an install moved or made
# with `cmake --install --prefix DIR` still gives correct flags.
file(RELATIVE_PATH pc_to_prefix /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(${CMAKE_CURRENT_LIST_DIR}/refloop.pc.in ${PROJECT_BINARY_DIR}/refloop.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/refloop.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The conformance runners exist only where the tests are built.
if(REFLOOP_BUILD_TESTS)
  include(${PROJECT_SOURCE_DIR}/conformance/cmake/RefloopConformanceInstall.cmake)
endif()

if(REFLOOP_TESTING)
  # The smoke test installs this build into a scratch prefix, then builds and runs a consumer
  # that uses find_package(refloop) and one that uses pkg-config.
  add_test(NAME install.find_package
    COMMAND ${CMAKE_COMMAND}
      -DBUILD_DIR=${PROJECT_BINARY_DIR}
      -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}/find-package-test
      -DPREFIX=${PROJECT_BINARY_DIR}/install-smoke
      -DSANITIZERS=${REFLOOP_SANITIZERS}
      -DCOVERAGE=${REFLOOP_COVERAGE}
      -DCXX=${CMAKE_CXX_COMPILER}
      -P ${CMAKE_CURRENT_LIST_DIR}/find-package-test/run.cmake)
  set_tests_properties(install.find_package PROPERTIES LABELS unit TIMEOUT 600)
endif()
