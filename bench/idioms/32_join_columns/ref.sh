# name:city (columns 2 and 3)
# input: csv
awk -F, '{ print $2 ":" $3 }'
