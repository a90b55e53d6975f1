# libFuzzer targets, built only with clang (libFuzzer ships with clang; Debian:
# clang and libclang-rt-14-dev). Include from the top-level CMakeLists.txt with
#   include(cmake/Fuzz.cmake)
# after the find_package calls. tests/fuzz/run_wire_fuzz.sh configures a clang build
# and runs the target for a bounded time.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  option(SWEEP_BUILD_FUZZ "Build the libFuzzer targets under tests/fuzz" ON)
  if(SWEEP_BUILD_FUZZ)
    # The decoder and the message parser only: no sockets, no store, no subprocesses,
    # so the fuzz build does not compile the rest of sweep_core.
    add_executable(wire_fuzz
      ${CMAKE_SOURCE_DIR}/tests/fuzz/wire_fuzz.cc
      ${CMAKE_SOURCE_DIR}/agents/protocol/wire.cc
      ${CMAKE_SOURCE_DIR}/agents/protocol/messages.cc
      ${CMAKE_SOURCE_DIR}/base/status.cc)
    target_include_directories(wire_fuzz PRIVATE ${CMAKE_SOURCE_DIR})
    target_compile_definitions(wire_fuzz PRIVATE SWEEP_FUZZ_TARGET)
    target_compile_options(wire_fuzz PRIVATE
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(wire_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(wire_fuzz PRIVATE nlohmann_json::nlohmann_json)
  endif()
endif()
