# Every third-party package comes from Debian (scripts/setup installs them).
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CURL REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(MPI REQUIRED COMPONENTS C)
find_package(Boost 1.74 REQUIRED COMPONENTS serialization)
if(SNIPE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SNIPE_BUILD_TESTS OR SNIPE_BUILD_BENCHMARKS)
  # The loopback mock provider (tests/support/mock_provider.cpp); Debian ships
  # cpp-httplib as a shared library found through pkg-config.
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
if(SNIPE_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

# The baselines every training run fits (trainer/baselines): gradient-boosted trees from
# XGBoost's C API (libxgboost-dev) and logistic regression from liblinear (liblinear-dev).
# Neither ships a CMake package; each is one header and one library.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h REQUIRED)
find_library(XGBOOST_LIBRARY xgboost REQUIRED)
add_library(snipe::xgboost UNKNOWN IMPORTED)
set_target_properties(snipe::xgboost PROPERTIES IMPORTED_LOCATION ${XGBOOST_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${XGBOOST_INCLUDE_DIR})
find_path(LIBLINEAR_INCLUDE_DIR linear.h REQUIRED)
find_library(LIBLINEAR_LIBRARY linear REQUIRED)
add_library(snipe::liblinear UNKNOWN IMPORTED)
set_target_properties(snipe::liblinear PROPERTIES IMPORTED_LOCATION ${LIBLINEAR_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${LIBLINEAR_INCLUDE_DIR})
