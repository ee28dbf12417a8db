# top.awk — the references' `count | top(K, by: count)`: one key a line in, the K most frequent
# as count<TAB>key out, largest first, ties in first-seen order (as pipec's top). -v K=N.
!($0 in n) { order[++k] = $0 }
{ n[$0]++ }
END {
    m = 0
    for (i = 1; i <= k; i++) {
        key = order[i]
        c = n[key]
        if (m == K && c <= tc[K]) continue
        j = (m < K) ? ++m : K
        # only a larger count moves ahead, so equal counts stay in first-seen order
        while (j > 1 && c > tc[j - 1]) {
            tc[j] = tc[j - 1]; tk[j] = tk[j - 1]; j--
        }
        tc[j] = c; tk[j] = key
    }
    for (i = 1; i <= m; i++) printf "%d\t%s\n", tc[i], tk[i]
}
