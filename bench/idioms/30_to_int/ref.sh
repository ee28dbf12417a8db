# each number doubled
# input: nums
awk '{ print $1 * 2 }'
