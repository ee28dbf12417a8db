# the mean of field 10 (bytes), 3 decimals
# input: access
awk '{ s += $10 } END { printf "%.3f\n", s / NR }'
