# the rows sorted by amount (column 4, a float), stable
# input: csv
sort -s -t, -k4,4g
