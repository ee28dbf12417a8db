/* fuzz_parse.c — libFuzzer target for the front end: any bytes must lex, parse,
 * check and emit C without a crash, a leak or a malformed tree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "parse.h"
#include "sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tree(const Node *n)
{
    if (!n)
        return;
    if (n->kind >= N__COUNT || n->loc.off > n->loc.end)
        abort();
    for (int i = 0; i < n->list.n; i++) {
        if (!n->list.v[i])
            abort();
        check_tree(n->list.v[i]);
    }
    for (int i = 0; i < n->params.n; i++)
        check_tree(n->params.v[i]);
    check_tree(n->a);
    check_tree(n->b);
    check_tree(n->c);
}

/* Imports resolve against the current directory; the fuzzer's inputs rarely
 * name a real file, and a missing one is just an error. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    Diag d;
    diag_init(&d, sink);
    PipeArena a = {0};
    int id = diag_add_file(&d, "fuzz.pipe", (const char *)data, size);
    Node *file = parse_file(&d, &a, id);
    check_tree(file);
    if (d.errors == 0) {
        /* a program that parses goes on through checking and C emission */
        Program prog = {&file, 1};
        Sema s;
        if (sema_check(&s, &d, &a, &prog) && d.errors == 0) {
            for (int i = 0; i < s.npipelines; i++) {
                Dag dag;
                sema_lower(&s, s.pipelines[i], &dag);
                EmitOut out;
                emit_program(&s, &dag, EMIT_JIT, "fuzz.pipe", &out);
                emit_free(&out);
            }
        }
    }
    diag_free(&d);
    pipe_arena_free(&a);
    return 0;
}
