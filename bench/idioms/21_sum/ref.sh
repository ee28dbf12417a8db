# the total of field 10 (bytes)
# input: access
awk '{ s += $10 } END { printf "%.0f\n", s }'
