# the rows whose qty (column 5) is at least 5
# input: csv
awk -F, '$5 >= 5'
