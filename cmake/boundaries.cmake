# The build's boundary between module logic and the drivers.
#
# workstream_check_boundaries(LOGIC <target>...) fails the configuration when
# one of the logic targets reaches a driver library through its link
# dependencies, direct or transitive. A static library's PRIVATE dependencies
# still travel to whoever links it (as $<LINK_ONLY:...>), so linking an
# adapter target counts as reaching its driver.

set(WORKSTREAM_DRIVER_PATTERNS
  "^PostgreSQL::"
  "^rabbitmq::"
  "^PkgConfig::hiredis$"
  "^mongo::"
  "^CURL::"
  "^gRPC::"
  "^protobuf::"
  # A driver named by file or bare name rather than by its imported target.
  "(^|/)(lib)?(pq|rabbitmq|hiredis|mongoc-1\\.0|bson-1\\.0|curl|grpc\\+\\+|grpc|protobuf)(\\.so|\\.a|$)"
  CACHE INTERNAL "What counts as a driver library")

# The link items `target` names, generator expressions other than LINK_ONLY
# dropped (they select configurations; none of ours hides a driver).
function(_workstream_link_items target out)
  set(items "")
  foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(value ${target} ${property})
    if(value)
      list(APPEND items ${value})
    endif()
  endforeach()
  set(result "")
  foreach(item IN LISTS items)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
    if(item MATCHES "^\\$<" OR item MATCHES "^-")
      continue()
    endif()
    list(APPEND result "${item}")
  endforeach()
  list(REMOVE_DUPLICATES result)
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

function(_workstream_is_driver item out)
  set(${out} FALSE PARENT_SCOPE)
  foreach(pattern IN LISTS WORKSTREAM_DRIVER_PATTERNS)
    if(item MATCHES "${pattern}")
      set(${out} TRUE PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

function(workstream_check_boundaries)
  cmake_parse_arguments(ARG "" "" "LOGIC" ${ARGN})
  set(violations "")
  foreach(logic IN LISTS ARG_LOGIC)
    if(NOT TARGET ${logic})
      message(FATAL_ERROR "boundaries: ${logic} is not a target")
    endif()
    # Breadth first; path_<id> remembers how each item was reached.
    set(queue ${logic})
    set(seen ${logic})
    string(MAKE_C_IDENTIFIER "${logic}" id)
    set(path_${id} "${logic}")
    while(queue)
      list(POP_FRONT queue current)
      string(MAKE_C_IDENTIFIER "${current}" current_id)
      if(NOT TARGET ${current})
        continue()
      endif()
      _workstream_link_items(${current} items)
      foreach(item IN LISTS items)
        if(item IN_LIST seen)
          continue()
        endif()
        list(APPEND seen "${item}")
        string(MAKE_C_IDENTIFIER "${item}" item_id)
        set(path_${item_id} "${path_${current_id}} -> ${item}")
        _workstream_is_driver("${item}" driver)
        if(driver)
          list(APPEND violations "  ${logic} reaches the driver ${item}: ${path_${item_id}}")
        else()
          list(APPEND queue "${item}")
        endif()
      endforeach()
    endwhile()
  endforeach()
  if(violations)
    list(JOIN violations "\n" text)
    message(FATAL_ERROR "Module logic must not link a driver (docs/architecture.md, "
      "\"Ports and adapters\"); link the adapter from the composition root instead:\n${text}")
  endif()
endfunction()
