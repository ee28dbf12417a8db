/* graph.h — a lowered pipeline as a picture: Graphviz DOT with sources, stages,
 * sinks, fan-out and fan-in, each edge labelled with the type it carries. */
#ifndef PIPEC_GRAPH_H
#define PIPEC_GRAPH_H

#include <stdio.h>

#include "sema.h"

/* Writes dag as a DOT digraph to out: a node per stage (its text and line:col),
 * an edge per connection labelled with its element type, and a cluster per
 * instance of a composite proc. */
void graph_write_dot(Sema *s, Dag *dag, FILE *out);

/* The text of a stage as written in the script (cut to max bytes with "..."),
 * into buf; for labels and the REPL's :type. */
const char *graph_stage_text(Sema *s, DagNode *n, char *buf, size_t max);

#endif
