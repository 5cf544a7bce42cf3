# Checks that module logic includes no driver header and no adapter's header:
# the source-level half of the boundary that cmake/boundaries.cmake holds in
# the link graph. Run by ctest (build.boundaries):
#
#   cmake -DROOT=<source dir> -P cmake/check_includes.cmake
#
# Scans include/ and the logic folders of ROOT/src. With -DEXPECT=<file> it
# checks itself instead: the scan of ROOT (a fixture) must report exactly
# the lines listed in EXPECT, one "<path>: <include>" a line.

cmake_minimum_required(VERSION 3.25)

if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source dir> [-DEXPECT=<file>] -P check_includes.cmake")
endif()

# Module logic; src/app (the composition root) and src/ops (admin commands
# that talk to the servers) may see adapters, and adapters their drivers.
set(logic_folders core http admin events tasks gateway notifications mailer)

# Driver headers: libpq, rabbitmq-c, hiredis, libmongoc/libbson, libcurl,
# gRPC, protobuf and the code generated from our .proto files.
set(driver_header
  "libpq-fe\\.h|libpq/|postgresql/|amqp\\.h|amqp_[a-z_]+\\.h|rabbitmq-c/|hiredis/|hiredis\\.h|mongoc/|mongoc\\.h|bson/|bson\\.h|curl/|grpc/|grpcpp/|grpc\\+\\+/|google/protobuf/|[^\"<>]*\\.pb\\.h")
# Headers of the adapter folders, and of the root and the ops commands.
set(adapter_header "postgres/|rabbitmq/|redis/|mongo/|smtp/|grpc/|app/|ops/")

set(files "")
foreach(folder IN LISTS logic_folders)
  file(GLOB_RECURSE found LIST_DIRECTORIES false RELATIVE ${ROOT}
    ${ROOT}/src/${folder}/*.cpp ${ROOT}/src/${folder}/*.hpp ${ROOT}/src/${folder}/*.h
    ${ROOT}/src/${folder}/*.in)
  list(APPEND files ${found})
endforeach()
file(GLOB_RECURSE found LIST_DIRECTORIES false RELATIVE ${ROOT}
  ${ROOT}/include/*.hpp ${ROOT}/include/*.h)
list(APPEND files ${found})
list(SORT files)

set(reported "")
foreach(file IN LISTS files)
  file(STRINGS ${ROOT}/${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*" "\\1" header "${line}")
    if(header MATCHES "^(${driver_header})" OR header MATCHES "^(${adapter_header})")
      list(APPEND reported "${file}: ${header}")
    endif()
  endforeach()
endforeach()

if(EXPECT)
  file(STRINGS ${EXPECT} expected)
  if(NOT reported STREQUAL expected)
    list(JOIN expected "\n  " e)
    list(JOIN reported "\n  " r)
    message(FATAL_ERROR "self-test: the check reported\n  ${r}\nbut the fixture holds\n  ${e}")
  endif()
  list(LENGTH expected count)
  message(STATUS "self-test: the check reports each of the fixture's ${count} forbidden includes and nothing else")
  return()
endif()

list(LENGTH files scanned)
if(reported)
  list(JOIN reported "\n  " r)
  message(FATAL_ERROR "Module logic includes a driver's or an adapter's header (docs/architecture.md, "
    "\"Ports and adapters\"): depend on the port in include/workstream/ instead, and let the "
    "composition root (src/app) pick the adapter:\n  ${r}")
endif()
message(STATUS "boundaries: ${scanned} files of module logic include no driver or adapter header")
