# the lines matching /api/v[0-9]+/users/[0-9]+
# input: access
grep -E '/api/v[0-9]+/users/[0-9]+'
