# Builds the man page from the binary's own help, so it never drifts from the CLI.
# Run as a script (cmake -P) by the sweep_man target with -DSWEEP (the built binary),
# -DHELP2MAN, -DGZIP, -DINCLUDE (packaging/sweep.h2m: the sections help cannot give)
# and -DOUTPUT (sweep.1.gz). help2man reads `sweep --help` and `sweep --version`; the
# COMMANDS section is each subcommand's `--help`, found from the "Subcommands:" list
# of the main help, as preformatted text; it comes first so that it follows OPTIONS.
# sweep.h2m replaces help2man's DESCRIPTION (`[=DESCRIPTION]`), which would only repeat
# the first line of --help.
foreach(var SWEEP HELP2MAN GZIP INCLUDE OUTPUT DESCRIPTION)
  if(NOT ${var})
    message(FATAL_ERROR "ManPage.cmake needs -D${var}")
  endif()
endforeach()
get_filename_component(dir "${OUTPUT}" DIRECTORY)

execute_process(COMMAND ${SWEEP} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "`${SWEEP} --help` failed (${rc})")
endif()

# The names under "Subcommands:" (two-space indent, then the name), in help's order.
string(REGEX REPLACE ".*\nSubcommands:\n" "" listed "${help}")
string(REPLACE "\n" ";" listed "${listed}")
set(commands "")
foreach(line IN LISTS listed)
  if(line MATCHES "^  ([a-z][a-z0-9-]*)( |$)")
    list(APPEND commands "${CMAKE_MATCH_1}")
  elseif(NOT line STREQUAL "")
    break()
  endif()
endforeach()
if(NOT commands)
  message(FATAL_ERROR "no subcommands found in `sweep --help`")
endif()

# roff escapes for preformatted text: backslashes first, then minus signs (so they
# stay ASCII hyphen-minus when copied), and a leading dot or quote must not start a
# request.
set(section "[COMMANDS]\nEach command's own \\fB\\-\\-help\\fR:\n")
foreach(cmd IN LISTS commands)
  execute_process(COMMAND ${SWEEP} ${cmd} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`${SWEEP} ${cmd} --help` failed (${rc})")
  endif()
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  string(APPEND section ".SS \"sweep ${cmd}\"\n.nf\n${text}.fi\n")
endforeach()
file(WRITE "${dir}/sweep-commands.h2m" "${section}")

execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1 "--name=${DESCRIPTION}"
          "--include=${dir}/sweep-commands.h2m" "--include=${INCLUDE}"
          "--output=${dir}/sweep.1" ${SWEEP}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()
# -n: no name or time stamp inside, so the same page gives the same bytes.
execute_process(COMMAND ${GZIP} -9 -n -f "${dir}/sweep.1" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip failed (${rc})")
endif()
