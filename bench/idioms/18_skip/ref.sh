# every line after the first 100
# input: access
tail -n +101
