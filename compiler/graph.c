/* graph.c — writes a pipeline's DAG in Graphviz DOT: what `pipec graph` prints
 * and the REPL's :graph shows; the node order is the DAG's creation order. */
#include "graph.h"

#include <string.h>

/* Writes s escaped for a DOT string (quotes, backslashes, newlines). */
static void dot_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        if (*s == '\n') {
            fputs("\\n", out);
            continue;
        }
        fputc(*s, out);
    }
}

const char *graph_stage_text(Sema *s, DagNode *n, char *buf, size_t max)
{
    const SrcFile *f = diag_file(s->diag, n->stage->loc.file);
    size_t len = 0;
    if (f && n->stage->loc.end > n->stage->loc.off && (size_t)n->stage->loc.end <= f->len) {
        const char *p = f->text + n->stage->loc.off;
        size_t want = (size_t)(n->stage->loc.end - n->stage->loc.off);
        /* one line of text: runs of blanks and newlines become one space */
        for (size_t i = 0; i < want && len + 4 < max; i++) {
            char c = p[i];
            if (c == '\n' || c == '\t' || c == '\r')
                c = ' ';
            if (c == ' ' && len > 0 && buf[len - 1] == ' ')
                continue;
            buf[len++] = c;
        }
        if (len + 4 >= max && max > 4) {
            memcpy(buf + len, "...", 3);
            len += 3;
        }
    } else {
        len = (size_t)snprintf(buf, max, "%s", n->std ? n->std : n->stage->name ? n->stage->name : "?");
        if (len >= max)
            len = max - 1;
    }
    buf[len] = 0;
    return buf;
}

static const char *shape(const DagNode *n)
{
    switch (n->kind) {
    case SK_SOURCE: return "invhouse";
    case SK_SINK: return "house";
    case SK_FANIN: return "invtrapezium";
    case SK_PROC:
    case SK_EXTERN: return "box3d";
    case SK_DEAD: return "note";
    default: return "box";
    }
}

static void write_node(Sema *s, DagNode *n, FILE *out, const char *indent)
{
    char text[64];
    graph_stage_text(s, n, text, sizeof text);
    fprintf(out, "%sn%d [label=\"", indent, n->id);
    dot_escaped(out, text);
    fprintf(out, "\\n%d:%d\", shape=%s];\n", n->stage->loc.line, n->stage->loc.col, shape(n));
}

void graph_write_dot(Sema *s, Dag *dag, FILE *out)
{
    fputs("digraph \"", out);
    dot_escaped(out, dag->pipeline->name);
    fputs("\" {\n", out);
    fputs("    rankdir=LR;\n", out);
    fputs("    node [fontname=\"monospace\", fontsize=10];\n", out);
    fputs("    edge [fontname=\"monospace\", fontsize=9];\n", out);
    for (int i = 0; i < dag->n; i++)
        if (dag->nodes[i]->inst < 0)
            write_node(s, dag->nodes[i], out, "    ");
    /* the stages of each composite proc instance, boxed with the proc's name */
    for (int k = 0; k < dag->ninsts; k++) {
        DagInst *I = &dag->insts[k];
        fprintf(out, "    subgraph cluster_%d {\n        label=\"", k);
        dot_escaped(out, I->decl->name);
        fprintf(out, " (%d:%d)\";\n        style=dashed;\n", I->call->loc.line, I->call->loc.col);
        for (int i = 0; i < dag->n; i++)
            if (dag->nodes[i]->inst == k)
                write_node(s, dag->nodes[i], out, "        ");
        fputs("    }\n", out);
    }
    for (int i = 0; i < dag->n; i++) {
        DagNode *n = dag->nodes[i];
        for (int j = 0; j < n->nins; j++) {
            DagNode *from = n->ins[j].from;
            if (n->kind == SK_DEAD) { /* the failing items of an error policy */
                fprintf(out, "    n%d -> n%d [label=\"on error\", style=dashed];\n", from->id, n->id);
                continue;
            }
            fprintf(out, "    n%d -> n%d [label=\"", from->id, n->id);
            dot_escaped(out, from->out ? type_name(s->arena, from->out) : "?");
            if (n->kind == SK_FANIN && n->nins > 1)
                fprintf(out, " #%d", n->ins[j].port + 1);
            fputs("\"];\n", out);
        }
    }
    fputs("}\n", out);
}
