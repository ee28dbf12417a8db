# the 5 most frequent client IPs as count<TAB>ip, ties in first-seen order
# input: access
cut -d' ' -f1 | awk -v K=5 -f "${0%/*}/../top.awk"
