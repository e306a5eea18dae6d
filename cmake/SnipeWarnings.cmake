# snipe_target_defaults(<target>): warnings and the feature macros every target shares.
function(snipe_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  target_compile_definitions(${target} PUBLIC SNIPE_WITH_CUDA=${SNIPE_WITH_CUDA})
endfunction()
