/* fuzz_parse.c — libFuzzer target for the front end: any bytes must lex, parse,
 * check and emit C without a crash, a leak or a malformed tree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "plan.h"

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

/* Every tree as parsed, before checking annotates it. */
static void check_trees(const Program *prog, void *arg)
{
    (void)arg;
    for (int i = 0; i < prog->nfiles; i++)
        check_tree(prog->files[i]);
}

/* Imports resolve against the current directory; the fuzzer's inputs rarely
 * name a real file, and a missing one is just an error.  A program that
 * checks goes on through the lowering, plan and C emission of every pipeline. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CompileOpts o = {.script = "fuzz.pipe", .text = (const char *)data, .len = size, .every_pipeline = true,
                     .max_errors = -1, .parsed = check_trees};
    Compilation c;
    bool ok = compile_front(&c, &o);
    for (int i = 0; ok && i < c.sema.npipelines; i++) {
        sema_lower(&c.sema, c.sema.pipelines[i], &c.dag);
        plan_dag(&c.arena, &c.dag);
        compile_emit(&c, EMIT_JIT, "fuzz.pipe");
    }
    compile_free(&c);
    return 0;
}
