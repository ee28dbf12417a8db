# the lines that are not empty
# input: text
grep -v '^$'
