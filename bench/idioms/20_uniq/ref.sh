# the statuses, adjacent repeats dropped
# input: access
cut -d' ' -f9 | uniq
