# lines per status as status<TAB>count, first-seen order
# input: access
cut -d' ' -f9 | awk -f "${0%/*}/../count.awk"
