# the first 100 lines
# input: access
head -n 100
