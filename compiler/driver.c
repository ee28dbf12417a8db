/* driver.c — the phases of a compilation in order, behind one struct: what the
 * command line, the REPL, the unit tests and the fuzzers all call. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "driver.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed.h"
#include "gate.h"
#include "plan.h"

/* Prints "N errors" after the diagnostics (unless "too many errors" was the
 * last word) when they print. */
static void count_errors(const Compilation *c, int errors)
{
    FILE *out = c->diag.out;
    if (out && errors && !c->diag.stopped)
        fprintf(out, "%d error%s\n", errors, errors == 1 ? "" : "s");
}

/* Loads and parses the script with its imports, then checks the program;
 * false after errors. */
static bool load_and_check(Compilation *c, const CompileOpts *o)
{
    static const char *const none[] = {NULL};
    const SafeOpts *so = o->safe;
    const char *const *allow = so && so->safe ? (so->read ? (const char *const *)so->read : none) : NULL;
    bool loaded = true;
    if (o->load)
        o->load(c, o->arg);
    else if (o->text)
        parse_program_file(&c->diag, &c->arena, diag_add_file(&c->diag, o->script, o->text, o->len), &c->prog);
    else
        loaded = parse_program_in(&c->diag, &c->arena, o->script, allow, so ? (const char *const *)so->write : NULL,
                                  &c->prog);
    if (!loaded)
        return false;
    if (o->parsed)
        o->parsed(&c->prog, o->arg);
    /* after syntax errors the tree has holes: checking it would only add
     * errors that follow from the first ones */
    bool ok = c->diag.errors == 0 && sema_check(&c->sema, &c->diag, &c->arena, &c->prog) && c->diag.errors == 0;
    if (!ok)
        count_errors(c, c->diag.errors);
    return ok;
}

/* check --safe: what every pipeline would run must pass the safe checks. */
static bool check_every_pipeline(Compilation *c, const SafeOpts *so)
{
    int errors = 0;
    for (int i = 0; (so || c->sema.joins) && i < c->sema.npipelines; i++) {
        Dag d = {0};
        sema_lower(&c->sema, c->sema.pipelines[i], &d);
        errors += gate_check(&c->sema, &d);
        if (so)
            errors += safe_check(&c->sema, &d, so);
    }
    if (so && !c->sema.npipelines)
        errors += safe_check(&c->sema, NULL, so);
    count_errors(c, errors);
    return errors == 0;
}

bool compile_front(Compilation *c, const CompileOpts *o)
{
    memset(c, 0, sizeof *c);
    diag_init(&c->diag, o->diag_out);
    if (o->max_errors >= 0)
        c->diag.max_errors = o->max_errors;
    if (!load_and_check(c, o))
        return false;
    const SafeOpts *so = o->safe && (o->safe->safe || o->safe->sandbox) ? o->safe : NULL;
    c->sema.safe = so;
    if (o->every_pipeline)
        return check_every_pipeline(c, so);
    c->pipeline = sema_pick(&c->sema, o->pipeline);
    if (!c->pipeline)
        return false;
    if (!o->no_opt)
        opt_program(&c->arena, &c->prog, &c->opt);
    sema_lower(&c->sema, c->pipeline, &c->dag);
    c->dag.opt = o->no_opt ? NULL : &c->opt;
    plan_dag(&c->arena, &c->dag);
    int errors = gate_check(&c->sema, &c->dag);
    errors += so ? safe_check(&c->sema, &c->dag, so) : 0;
    count_errors(c, errors);
    return errors == 0;
}

void compile_emit(Compilation *c, EmitMode mode, const char *script)
{
    if (c->have_emitted)
        emit_free(&c->emitted);
    emit_program(&c->sema, &c->dag, mode, script, c->c_name, &c->emitted);
    c->have_emitted = true;
}

/* tcc's messages ("file:line: error: ...") become records of c's Diag,
 * printed as tcc wrote them. */
static void on_tcc_error(void *opaque, const char *msg)
{
    diag_foreign(&((Compilation *)opaque)->diag, "c-compile", msg);
}

const PipeProgram *compile_jit(Compilation *c)
{
    const EmitOut *eo = &c->emitted;
    char *inc = eo->nextern ? driver_temp_dir() : NULL;
    c->jit = jit_compile_with(eo->code, eo->extern_files, eo->nextern, inc, on_tcc_error, c);
    if (inc) {
        driver_remove_tree(inc);
        free(inc);
    }
    if (!c->jit) {
        diag_plain_error(&c->diag, "the generated C did not compile (a bug in pipec, or in an extern proc)");
        return NULL;
    }
    return jit_symbol(c->jit, "pipe_program");
}

void compile_free(Compilation *c)
{
    if (c->have_emitted)
        emit_free(&c->emitted);
    jit_free(c->jit);
    free(c->opt.v);
    diag_free(&c->diag);
    pipe_arena_free(&c->arena);
    memset(c, 0, sizeof *c);
}

char *driver_temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/pipec.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl))
        return NULL;
    for (const PipeEmbedded *e = pipe_embedded; e->path; e++) {
        const char *base = strrchr(e->path, '/') ? strrchr(e->path, '/') + 1 : e->path;
        if (strcmp(base, "pipe.h") && strcmp(base, "pipe_std.h"))
            continue;
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", tmpl, base);
        FILE *f = fopen(p, "w");
        if (!f) {
            driver_remove_tree(tmpl);
            return NULL;
        }
        fputs(e->text, f);
        fclose(f);
    }
    return strdup(tmpl);
}

/* nftw's visit, children first: removes one entry. */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

bool driver_remove_tree(const char *dir)
{
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
        return true;
    fprintf(stderr, "pipec: warning: could not remove %s: %s\n", dir, strerror(errno));
    return false;
}
