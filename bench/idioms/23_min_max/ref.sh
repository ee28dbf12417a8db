# the smallest and largest field 10 (bytes), space separated
# input: access
awk 'NR == 1 { lo = hi = $10 + 0 } { v = $10 + 0; if (v < lo) lo = v; if (v > hi) hi = v } END { print lo, hi }'
