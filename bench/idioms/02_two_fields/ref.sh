# status and path (fields 9 and 7) of each line, space separated
# input: access
awk '{ print $9, $7 }'
