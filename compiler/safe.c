/* safe.c — the compile-time half of safe mode: extern procs, unsafe stages and
 * constant file paths outside the allowed folders are errors; the run checks
 * the paths computed from parameters (runtime/sandbox.c). */
#include "safe.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtins.h"
#include "rt_impl.h"

bool safe_allow(SafeOpts *o, const char *dir, bool write, char *why, size_t whylen)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "'%s' is not a folder", dir);
        return false;
    }
    char *r = pipe_path_resolve(dir);
    if (!r) {
        snprintf(why, whylen, "cannot resolve '%s'", dir);
        return false;
    }
    char ***v = write ? &o->write : &o->read;
    int *n = write ? &o->nwrite : &o->nread;
    *v = realloc(*v, sizeof **v * (size_t)(*n + 2));
    (*v)[(*n)++] = r;
    (*v)[*n] = NULL;
    return true;
}

void safe_free(SafeOpts *o)
{
    for (int i = 0; i < o->nread; i++)
        free(o->read[i]);
    for (int i = 0; i < o->nwrite; i++)
        free(o->write[i]);
    free(o->read);
    free(o->write);
}

static bool inside(char **dirs, int n, const char *path)
{
    for (int i = 0; i < n; i++)
        if (pipe_path_inside(path, dirs[i]))
            return true;
    return false;
}

bool safe_path_kind(const DagNode *n, PipePathKind *kind)
{
    unsigned flags = n->row ? n->row->flags : 0;
    if (!(flags & (SF_READS | SF_WRITES)))
        return false;
    if (flags & SF_WRITES)
        *kind = PIPE_PATH_WRITE;
    else
        *kind = n->row->arg_kinds[0] == A_GLOB ? PIPE_PATH_GLOB : PIPE_PATH_READ;
    return true;
}

/* A constant path of stage n, used as kind says, outside the folders. */
static int check_path(Sema *s, const DagNode *n, const SafeOpts *o, PipePathKind kind)
{
    bool write = kind == PIPE_PATH_WRITE, glob = kind == PIPE_PATH_GLOB;
    const Node *arg = n->nargs > 0 ? n->args[0] : NULL;
    if (!arg || arg->kind != N_STR) /* computed: the run checks it */
        return 0;
    if (memchr(arg->str.p, '\0', arg->str.n))
        return 0; /* no such file can be opened */
    char *path = glob ? pipe_glob_dir(arg->str.p, arg->str.n) : strndup(arg->str.p, arg->str.n);
    char *r = pipe_path_resolve(path);
    bool ok = r && (inside(o->write, o->nwrite, r) || (!write && inside(o->read, o->nread, r)));
    if (!ok) {
        const char *opt = write ? "--allow-write" : "--allow-read or --allow-write";
        bool given = write ? o->nwrite : o->nread + o->nwrite;
        diag_error(s->diag, arg->loc, "--safe: %s %s '%s', %s %s", n->std,
                   glob ? "reads in" : write ? "writes" : "reads", r ? r : path,
                   given ? "which is outside the folders given with" : "but no folder was given with", opt);
    }
    free(r);
    free(path);
    return !ok;
}

int safe_check(Sema *s, const Dag *dag, const SafeOpts *o)
{
    int errors = 0;
    if (o->safe)
        for (int i = 0; i < s->nprocs; i++) {
            Node *d = s->procs[i];
            if (d->kind != N_EXTERN)
                continue;
            diag_error(s->diag, d->loc, "--safe refuses extern proc '%s': its C code (%.*s) can reach beyond "
                                        "the script's data", d->name, (int)d->str.n, d->str.p ? d->str.p : "");
            errors++;
        }
    for (int i = 0; o->safe && i < s->unsafe_calls.n; i++) {
        const Node *e = s->unsafe_calls.v[i];
        diag_error(s->diag, e->loc, "--safe refuses %s(): %s", e->name, builtin_find(e->name)->unsafe);
        errors++;
    }
    for (int i = 0; dag && i < dag->n; i++) {
        const DagNode *n = dag->nodes[i];
        unsigned flags = n->row ? n->row->flags : 0;
        PipePathKind kind;
        if ((flags & SF_UNSAFE) && (o->safe || o->sandbox)) {
            diag_error(s->diag, n->stage->loc, "%s refuses stage '%s': it starts other programs",
                       o->safe ? "--safe" : "--sandbox", n->std);
            errors++;
        } else if (o->safe && safe_path_kind(n, &kind)) {
            errors += check_path(s, n, o, kind);
        }
    }
    return errors;
}
