# each cell on a line of its own
# input: csv
tr , '\n'
