/* jit.c — the one file that talks to libtcc: compiles generated C in memory
 * against the runtime linked into pipec, or into an executable as a fallback. */
#include "jit.h"

#include <libtcc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Jit {
    TCCState *tcc;
};

/* libtcc (0.9.27) serializes only its compile step (its own semaphore) and
 * documents nothing about threads: every call but tcc_get_symbol is made
 * under this lock, so that runs on several threads may compile at once. */
static pthread_mutex_t tcc_lock = PTHREAD_MUTEX_INITIALIZER;

static void print_error(void *opaque, const char *msg)
{
    (void)opaque;
    fprintf(stderr, "%s\n", msg);
}

static void add_symbols(TCCState *s)
{
    for (const PipeSymbol *y = pipe_symtab; y->name; y++)
        tcc_add_symbol(s, y->name, y->addr);
    /* what tcc itself may call for struct copies and initialisers */
    tcc_add_symbol(s, "memcpy", (void *)memcpy);
    tcc_add_symbol(s, "memmove", (void *)memmove);
    tcc_add_symbol(s, "memset", (void *)memset);
    tcc_add_symbol(s, "memcmp", (void *)memcmp);
}

/* jit_compile_with under tcc_lock: the state, relocated in memory, or NULL. */
static TCCState *compile_locked(const char *code, const char *const *extra_files, int nextra,
                                const char *include_dir, JitErrorFn on_error, void *opaque)
{
    TCCState *s = tcc_new();
    if (!s) {
        on_error(opaque, "pipec: error: cannot start the JIT (libtcc)");
        return NULL;
    }
    tcc_set_error_func(s, opaque, on_error);
    /* generated code declares everything it uses: no system headers or
     * libraries are needed, so a lone copy of pipec works anywhere */
    tcc_set_options(s, nextra ? "-w" : "-nostdlib -w");
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    add_symbols(s);
    if (include_dir)
        tcc_add_include_path(s, include_dir);
    if (tcc_compile_string(s, code) < 0) {
        tcc_delete(s);
        return NULL;
    }
    for (int i = 0; i < nextra; i++)
        if (tcc_add_file(s, extra_files[i]) < 0) {
            tcc_delete(s);
            return NULL;
        }
    if (tcc_relocate(s, TCC_RELOCATE_AUTO) < 0) {
        tcc_delete(s);
        return NULL;
    }
    return s;
}

Jit *jit_compile(const char *code, const char *const *extra_files, int nextra, const char *include_dir)
{
    return jit_compile_with(code, extra_files, nextra, include_dir, NULL, NULL);
}

Jit *jit_compile_with(const char *code, const char *const *extra_files, int nextra, const char *include_dir,
                      JitErrorFn on_error, void *opaque)
{
    Jit *j = malloc(sizeof *j);
    if (!j)
        return NULL;
    pthread_mutex_lock(&tcc_lock);
    j->tcc = compile_locked(code, extra_files, nextra, include_dir, on_error ? on_error : print_error, opaque);
    pthread_mutex_unlock(&tcc_lock);
    if (!j->tcc) {
        free(j);
        return NULL;
    }
    return j;
}

void *jit_symbol(Jit *j, const char *name)
{
    return tcc_get_symbol(j->tcc, name);
}

void jit_free(Jit *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&tcc_lock);
    tcc_delete(j->tcc);
    pthread_mutex_unlock(&tcc_lock);
    free(j);
}

bool jit_build_exe(const char *c_path, const char *out_path, const char *const *libs, int nlibs)
{
    pthread_mutex_lock(&tcc_lock);
    TCCState *s = tcc_new();
    if (!s) {
        pthread_mutex_unlock(&tcc_lock);
        return false;
    }
    tcc_set_error_func(s, NULL, print_error);
    tcc_set_output_type(s, TCC_OUTPUT_EXE);
    bool ok = tcc_add_file(s, c_path) >= 0;
    for (int i = 0; ok && i < nlibs; i++)
        ok = tcc_add_library(s, libs[i]) >= 0;
    ok = ok && tcc_output_file(s, out_path) >= 0;
    tcc_delete(s);
    pthread_mutex_unlock(&tcc_lock);
    return ok;
}
