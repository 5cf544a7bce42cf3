# Writes OUTPUT, a C++ source defining `kMigrations`: every NNNN_name.sql in
# DIR as {version, name, text}, in version order, so the binary carries its
# schema. Runs at build time; the generated file stays in the build tree.
file(GLOB files RELATIVE ${DIR} ${DIR}/*.sql)
list(SORT files)
set(body "")
foreach(file IN LISTS files)
  string(REGEX MATCH "^([0-9]+)_" _ ${file})
  math(EXPR version "${CMAKE_MATCH_1}")
  file(READ ${DIR}/${file} sql)
  string(APPEND body "    {${version}, \"${file}\", R\"__sql__(${sql})__sql__\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from ${DIR} by cmake/embed_migrations.cmake.\n#include \"postgres/migrations.hpp\"\n\nnamespace ${NAMESPACE} {\n\nextern const std::vector<workstream::pg::Migration> kMigrations{\n${body}};\n\n}  // namespace ${NAMESPACE}\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
