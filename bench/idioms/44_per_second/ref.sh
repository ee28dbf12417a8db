# requests per timestamp (field 4 without its [) as time<TAB>count, first-seen order
# input: access
awk '{ print substr($4, 2) }' | awk -f "${0%/*}/../count.awk"
