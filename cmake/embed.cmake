# Turns a text file into a C++ source defining `extern const char* const grid::detail::<SYMBOL>`.
file(READ "${IN}" content)
string(LENGTH "${content}" len)
set(out "// generated from ${IN}; do not edit\nnamespace grid { namespace detail {\nextern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} = R\"gridkit_embed(${content})gridkit_embed\";\n} }\n")
file(WRITE "${OUT}.tmp" "${out}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
