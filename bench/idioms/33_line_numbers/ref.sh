# each line numbered from 1, number<TAB>line
# input: text
awk '{ print NR "\t" $0 }'
