# Decides SNIPE_WITH_CUDA (always 0 or 1, so code can use `if constexpr` and a typo in
# the macro name fails the build instead of silently meaning "off").
#
# AUTO turns CUDA on when the LibTorch on CMAKE_PREFIX_PATH was built with CUDA and NCCL
# (header + library) is found; ON makes either missing a configure error.
set(SNIPE_WITH_CUDA 0)
if(NOT SNIPE_CUDA STREQUAL "OFF")
  find_package(Torch QUIET)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS /usr/local/cuda/include ENV NCCL_ROOT PATH_SUFFIXES include)
  find_library(NCCL_LIBRARY nccl HINTS /usr/local/cuda/lib64 ENV NCCL_ROOT PATH_SUFFIXES lib lib64)
  set(_torch_cuda OFF)
  if(Torch_FOUND AND (CAFFE2_USE_CUDA OR TARGET torch_cuda))
    set(_torch_cuda ON)
  endif()
  if(_torch_cuda AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(SNIPE_WITH_CUDA 1)
  elseif(SNIPE_CUDA STREQUAL "ON")
    message(FATAL_ERROR
      "SNIPE_CUDA=ON but CUDA LibTorch=${_torch_cuda}, nccl.h=${NCCL_INCLUDE_DIR}, "
      "libnccl=${NCCL_LIBRARY}. Put a CUDA LibTorch on CMAKE_PREFIX_PATH and NCCL under "
      "/usr/local/cuda or NCCL_ROOT, or configure with -DSNIPE_CUDA=OFF.")
  endif()
endif()
message(STATUS "snipe: CUDA build ${SNIPE_WITH_CUDA} (SNIPE_CUDA=${SNIPE_CUDA})")
