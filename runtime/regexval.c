/* regexval.c — regexes as values (LANGUAGE.md §9): split_re and quote_re, on
 * top of regex.c's matching; captures and replace_first live there. */
#include "rt_impl.h"

/* The pieces of s between the non-empty matches of re, left to right, as
 * slices of s: an empty match splits nothing (as find_all and grep -o skip
 * it), groups add no pieces (unlike Python's re.split), and "" is [""]. */
PipeList *pipe_split_re(PipeArena *a, PipeRegex *re, PipeStr s)
{
    PipeList *l = pipe_list_new(a, sizeof(PipeStr), 8);
    const char *p = s.p ? s.p : "";
    size_t pos = 0, from = 0;
    PipeStr m;
    while (pipe_find_next(re, (PipeStr){p, s.n}, &pos, &m)) {
        *(PipeStr *)pipe_list_push(l) = (PipeStr){p + from, (size_t)(m.p - p) - from};
        from = pos;
    }
    *(PipeStr *)pipe_list_push(l) = (PipeStr){p + from, s.n - from};
    return l;
}

/* The bytes a backslash must take away the meaning of: PCRE2's
 * metacharacters outside a character class and inside one (- and ]).  A
 * backslash before any other punctuation would do no harm, but each of these
 * is needed; letters and digits must never get one (\d, \1). */
static const char quote_metas[] = "\\^$.|?*+()[]{}-";

PipeStr pipe_quote_re(PipeArena *a, PipeStr s)
{
    size_t extra = 0;
    for (size_t i = 0; i < s.n; i++)
        extra += s.p[i] && strchr(quote_metas, s.p[i]) != NULL;
    if (!extra)
        return s;
    char *d = pipe_alloc(a, s.n + extra), *o = d;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] && strchr(quote_metas, s.p[i]))
            *o++ = '\\';
        *o++ = s.p[i];
    }
    return (PipeStr){d, s.n + extra};
}
