# each line without leading and trailing blanks
# input: text
sed -E 's/^[[:blank:]]+//; s/[[:blank:]]+$//'
