# every run of digits replaced by N
# input: access
sed -E 's/[0-9]+/N/g'
