# Decides SNIPE_WITH_TORCH (0 or 1): LibTorch was found and this compiler can compile its
# headers. Measured here: Debian's LibTorch 1.13 headers fail under clang 14 and 16 in
# C++20 mode (std::vector of the incomplete c10::IValue in ATen/core/List.h) and compile
# under g++ 12, so the LibTorch targets are built by g++ (scripts/build's default).
set(SNIPE_WITH_TORCH 0)
if(NOT Torch_FOUND)
  find_package(Torch QUIET)
endif()
if(Torch_FOUND AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(SNIPE_WITH_TORCH 1)
  separate_arguments(SNIPE_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
elseif(Torch_FOUND)
  message(STATUS "snipe: LibTorch targets skipped: ${CMAKE_CXX_COMPILER_ID} cannot compile "
                 "LibTorch 1.13 headers in C++20; build with CC=gcc CXX=g++")
else()
  message(STATUS "snipe: LibTorch not found; the model and training targets are skipped")
endif()
message(STATUS "snipe: LibTorch build ${SNIPE_WITH_TORCH}")
