# SPDX-License-Identifier: ISC
# Installs the build at BUILD_DIR into PREFIX, then configures, builds and runs the consumer in
# SOURCE_DIR through find_package(refloop), and compiles it once more through pkg-config, both
# with the build's own C++ compiler CXX (a cross compiler's output is what was installed).
include(${CMAKE_CURRENT_LIST_DIR}/../install-into-prefix.cmake)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${consumer} -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_CXX_COMPILER=${CXX}
    "-DCMAKE_CXX_FLAGS=${flags}" "-DCMAKE_C_FLAGS=${flags}")
run(${CMAKE_COMMAND} --build ${consumer})
run(${consumer}/consumer)
# pkg-config route: the same source compiled by hand with the flags refloop.pc gives, which
# proves the .pc file is complete and relocatable (it is read from the scratch prefix).
file(GLOB_RECURSE pc_file ${PREFIX}/*/refloop.pc)
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pc_dir} pkg-config --cflags --libs refloop
  OUTPUT_VARIABLE pc_flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs refloop failed")
endif()
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(extra UNIX_COMMAND "${flags}")
run(${CXX} -std=c++20 ${extra} ${SOURCE_DIR}/consumer.cpp -o ${PREFIX}/consumer-pc ${pc_flags})
run(${PREFIX}/consumer-pc)
