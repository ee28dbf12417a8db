# the lines starting with "10."
# input: access
grep '^10\.'
