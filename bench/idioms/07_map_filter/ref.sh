# the paths (field 7) that start with /api/
# input: access
awk '$7 ~ /^\/api\// { print $7 }'
