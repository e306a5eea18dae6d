# Decides the two CUDA feature macros, each always 0 or 1 (so code can use `if constexpr`
# and a typo in the macro name fails the build instead of silently meaning "off"):
#
#   SNIPE_WITH_NCCL  the CUDA runtime and NCCL (header + library) are found: the nccl
#                    communicator and the mpi backend's staging of CUDA buffers are built
#                    (shared/comm/cuda/), otherwise their stubs (shared/comm/stub/). Needs
#                    no GPU: /usr/local/cuda on these machines has both, and the code
#                    compiles and links there; without a device it reports none.
#   SNIPE_WITH_CUDA  also the LibTorch on CMAKE_PREFIX_PATH was built with CUDA: the
#                    trainer's bridge to CUDA tensors (trainer/train/cuda/) is built.
#
# SNIPE_CUDA=AUTO builds what it finds; ON makes a missing CUDA runtime, NCCL or CUDA
# LibTorch a configure error; OFF builds neither.
set(SNIPE_WITH_NCCL 0)
set(SNIPE_WITH_CUDA 0)
if(NOT SNIPE_CUDA STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include ENV NCCL_ROOT
    PATH_SUFFIXES include)
  find_library(NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64 ENV NCCL_ROOT
    PATH_SUFFIXES lib lib64)
  if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(SNIPE_WITH_NCCL 1)
  endif()

  find_package(Torch QUIET)
  set(_torch_cuda OFF)
  if(Torch_FOUND AND (CAFFE2_USE_CUDA OR TARGET torch_cuda))
    set(_torch_cuda ON)
  endif()
  if(_torch_cuda AND SNIPE_WITH_NCCL)
    set(SNIPE_WITH_CUDA 1)
  endif()

  if(SNIPE_CUDA STREQUAL "ON" AND NOT SNIPE_WITH_CUDA)
    message(FATAL_ERROR
      "SNIPE_CUDA=ON but CUDA runtime=${CUDAToolkit_FOUND}, nccl.h=${NCCL_INCLUDE_DIR}, "
      "libnccl=${NCCL_LIBRARY}, CUDA LibTorch=${_torch_cuda}. Put a CUDA LibTorch on "
      "CMAKE_PREFIX_PATH and CUDA + NCCL under /usr/local/cuda (or CUDAToolkit_ROOT and "
      "NCCL_ROOT), or configure with -DSNIPE_CUDA=OFF.")
  endif()
endif()
if(SNIPE_WITH_NCCL)
  add_library(snipe_nccl INTERFACE)
  target_include_directories(snipe_nccl INTERFACE ${NCCL_INCLUDE_DIR})
  target_link_libraries(snipe_nccl INTERFACE CUDA::cudart ${NCCL_LIBRARY})
endif()
message(STATUS "snipe: NCCL build ${SNIPE_WITH_NCCL}, CUDA tensors ${SNIPE_WITH_CUDA} (SNIPE_CUDA=${SNIPE_CUDA})")
