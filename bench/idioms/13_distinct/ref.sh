# each client IP the first time it is seen
# input: access
awk '!seen[$1]++ { print $1 }'
