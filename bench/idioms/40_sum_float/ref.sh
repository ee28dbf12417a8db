# the total amount (column 4), 2 decimals
# input: csv
awk -F, '{ s += $4 } END { printf "%.2f\n", s }'
