# snipe_target_defaults(<target>): warnings and the feature macros every target shares.
function(snipe_target_defaults target)
  # Designated initializers that leave fields to their defaults are the idiom of the
  # option structs; GCC's -Wextra would flag every one.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    $<$<CXX_COMPILER_ID:GNU>:-Wno-missing-field-initializers>)
  target_compile_definitions(${target} PUBLIC SNIPE_WITH_CUDA=${SNIPE_WITH_CUDA}
    SNIPE_WITH_NCCL=${SNIPE_WITH_NCCL} SNIPE_WITH_TORCH=${SNIPE_WITH_TORCH} SNIPE_VERSION="${PROJECT_VERSION}")
endfunction()
