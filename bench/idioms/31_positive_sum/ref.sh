# the sum of the positive numbers
# input: nums
awk '$1 > 0 { s += $1 } END { printf "%.0f\n", s }'
