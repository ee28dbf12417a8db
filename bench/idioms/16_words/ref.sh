# each whitespace-separated word on a line of its own
# input: text
awk '{ for (i = 1; i <= NF; i++) print $i }'
