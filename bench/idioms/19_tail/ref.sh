# the last 10 lines
# input: access
tail -n 10
