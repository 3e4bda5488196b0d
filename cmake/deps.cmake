# Every dependency comes from a Debian package; a missing one stops configure and names it.
find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config (or run scripts/test)")
endif()

function(grove_require_pkg var module debian_pkg)
  pkg_check_modules(${var} QUIET IMPORTED_TARGET ${module})
  if(NOT ${var}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${debian_pkg} (or run scripts/test)")
  endif()
endfunction()

grove_require_pkg(LIBMOUNT mount libmount-dev)
grove_require_pkg(LIBCAP libcap libcap-dev)
grove_require_pkg(LIBSECCOMP libseccomp libseccomp-dev)
# zlib: gzip-compressed tar layers for `grove image build` (OCI layers are usually .tar.gz).
grove_require_pkg(ZLIB zlib zlib1g-dev)

find_package(nlohmann_json 3.10 QUIET)
if(NOT nlohmann_json_FOUND)
  message(FATAL_ERROR "nlohmann/json not found: apt-get install nlohmann-json3-dev (or run scripts/test)")
endif()

if(GROVE_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    message(FATAL_ERROR "GoogleTest not found: apt-get install libgtest-dev libgmock-dev (or run scripts/test)")
  endif()
endif()
