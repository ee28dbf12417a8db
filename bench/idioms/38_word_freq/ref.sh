# the 10 most frequent lower-cased words as count<TAB>word, ties in first-seen order
# input: text
tr A-Z a-z | awk '{ for (i = 1; i <= NF; i++) print $i }' | awk -v K=10 -f "${0%/*}/../top.awk"
