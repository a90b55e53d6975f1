# What `cmake --install build [--prefix P]` installs, the man page it installs, and the
# Debian package (`cpack -G DEB` in the build folder). Only what a user runs: bin/sweep
# (the dashboard's assets and the Python helper are embedded in it), the man page and
# the bash and zsh completions; no headers, libraries, tests or benchmarks. Include
# after the sweep target is defined.
include(GNUInstallDirs)

install(TARGETS sweep RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/packaging/completion/sweep.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME sweep)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/completion/_sweep
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# The man page comes from the built binary's own --help (cmake/ManPage.cmake), so it
# is part of the default build; without help2man the build and install go on without it.
find_program(SWEEP_HELP2MAN help2man)
find_program(SWEEP_GZIP gzip)
if(SWEEP_HELP2MAN AND SWEEP_GZIP)
  set(SWEEP_MAN_PAGE ${CMAKE_BINARY_DIR}/man/sweep.1.gz)
  add_custom_command(
    OUTPUT ${SWEEP_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -DSWEEP=$<TARGET_FILE:sweep> -DHELP2MAN=${SWEEP_HELP2MAN}
            -DGZIP=${SWEEP_GZIP} -DINCLUDE=${CMAKE_SOURCE_DIR}/packaging/sweep.h2m
            -DOUTPUT=${SWEEP_MAN_PAGE} "-DDESCRIPTION=${PROJECT_DESCRIPTION}"
            -P ${CMAKE_SOURCE_DIR}/cmake/ManPage.cmake
    DEPENDS sweep ${CMAKE_SOURCE_DIR}/packaging/sweep.h2m ${CMAKE_SOURCE_DIR}/cmake/ManPage.cmake
    COMMENT "Generating the man page from sweep --help (help2man)"
    VERBATIM)
  add_custom_target(sweep_man ALL DEPENDS ${SWEEP_MAN_PAGE})
  install(FILES ${SWEEP_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man or gzip not found: no man page is built or installed "
                 "(apt-get install help2man)")
endif()

# The .deb. Depends is computed by dpkg-shlibdeps (Debian's dpkg-dev) from the
# libraries the stripped binary links, so it names runtime packages only (libssl3,
# libyaml-cpp0.7, ...), never -dev ones. python3 is a Recommends: trials use it for
# the embedded reporting helper, but an agent running non-Python programs does not.
set(SWEEP_PACKAGE_MAINTAINER "sweep maintainers <maintainers@users.noreply.r-seed-8960602d.example>"
    CACHE STRING "Maintainer field of the .deb")
set(SWEEP_PACKAGE_HOMEPAGE "" CACHE STRING "Homepage field of the .deb (none when empty)")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sweep)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SWEEP_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SWEEP_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS python3)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS bash-completion)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
if(SWEEP_PACKAGE_HOMEPAGE)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${SWEEP_PACKAGE_HOMEPAGE}")
endif()
# CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY first as the synopsis line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "sweep runs hyperparameter sweeps from a W&B-style sweep YAML (grid, random,\n"
    "Bayesian search, early termination) on local slots, remote agents or Slurm, and\n"
    "records every trial (params, metric series, code commit and diff, environment,\n"
    "logs) in an embedded SQLite store. The one binary is both the controller and\n"
    "the agent that GPU nodes run (sweep agent HOST:PORT).")
string(JOIN "" CPACK_DEBIAN_PACKAGE_DESCRIPTION ${CPACK_DEBIAN_PACKAGE_DESCRIPTION})
include(CPack)
