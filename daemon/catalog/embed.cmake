# embed.cmake - write a C source that holds a file's bytes, so that the
# daemon carries its starter occupation catalogue whether or not any file
# is installed. Run as:
#   cmake -DIN=occupations.csv -DOUT=catalog_starter.c -DNAME=catalog_starter_csv
#         -P embed.cmake
# NAME[] gets the bytes and a NUL after them; NAME_len their number.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR bytes "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
# Twelve bytes a line (CMake's regular expressions have no {n}).
string(REPEAT "0x..," 12 line)
string(REGEX REPLACE "(${line})" "\\1\n\t" body "${body}")
get_filename_component(src "${IN}" NAME)
file(WRITE "${OUT}"
  "/* Generated from ${src} by daemon/catalog/embed.cmake: do not edit. */\n"
  "#include \"catalog.h\"\n\n"
  "const unsigned char ${NAME}[] = {\n\t${body}0x00};\n"
  "const size_t ${NAME}_len = ${bytes};\n")
