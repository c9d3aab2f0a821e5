# netref_link.cmake: NETREF_LINK, how the programs get abseil, libstdc++, libgcc and glibc.
#
# Every fork copies each mapping of the parent and its page tables, and every exit unmaps them,
# so a forking server pays for each shared library at every client. reference/programs/
# CMakeLists.txt holds the measurements that chose the default. The modes:
#   shared       Debian's shared libraries (25 libabsl_*.so among them).
#   static-deps  abseil, libstdc++ and libgcc from their archives; glibc shared.
#   static-pie   everything static and position-independent (the image keeps its ASLR).
#   static       everything static, at a fixed address.
# Outside `shared`, abseil comes from Debian's libabsl_*.a (libabsl-dev ships them beside the
# .so files, built position-independent) for every target, tests included, so no binary mixes
# the two copies. Sanitizer presets set `shared`: ASan cannot be linked statically.
set(NETREF_LINK static-pie CACHE STRING
    "How the programs link: shared, static-deps, static-pie or static")
set_property(CACHE NETREF_LINK PROPERTY STRINGS shared static-deps static-pie static)
if(NOT NETREF_LINK MATCHES "^(shared|static-deps|static-pie|static)$")
  message(FATAL_ERROR
          "NETREF_LINK: '${NETREF_LINK}' is not shared, static-deps, static-pie or static")
endif()

# Points every imported absl:: library at its archive. Call after find_package(absl).
function(netref_use_static_abseil)
  get_directory_property(imported IMPORTED_TARGETS)
  foreach(target IN LISTS imported)
    if(NOT target MATCHES "^absl::")
      continue()
    endif()
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "SHARED_LIBRARY")
      continue()  # Header-only (INTERFACE) targets have nothing to link.
    endif()
    get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
    foreach(config IN LISTS configs)
      get_target_property(shared ${target} IMPORTED_LOCATION_${config})
      string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" ".a" archive "${shared}")
      if(NOT EXISTS "${archive}")
        message(FATAL_ERROR "NETREF_LINK=${NETREF_LINK}: ${target} has no archive ${archive}")
      endif()
      set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} "${archive}")
    endforeach()
  endforeach()
endfunction()

# The link options of one program under NETREF_LINK.
function(netref_link_program target)
  if(NETREF_LINK STREQUAL "static-deps")
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  elseif(NETREF_LINK STREQUAL "static-pie")
    target_link_options(${target} PRIVATE -static-pie)
  elseif(NETREF_LINK STREQUAL "static")
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()
