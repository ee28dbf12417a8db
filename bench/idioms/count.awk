# count.awk — the references' `count`: one key a line in, key<TAB>count out, first-seen order.
!($0 in n) { order[++k] = $0 }
{ n[$0]++ }
END { for (i = 1; i <= k; i++) print order[i] "\t" n[order[i]] }
