# the lines in byte order
# input: text
sort
