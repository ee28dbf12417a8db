# total bytes (field 10) per status (field 9), status<TAB>sum by status
# input: access
awk '{ s[$9] += $10 } END { for (k in s) printf "%s\t%.0f\n", k, s[k] }' | sort
