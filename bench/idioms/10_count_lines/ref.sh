# the number of lines
# input: access
wc -l
