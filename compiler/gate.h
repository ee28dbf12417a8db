/* gate.h — the order a lowered pipeline's sources must run in when stages read
 * one input whole before another (join's other stream): a DAG where that
 * input waits for items that wait for it would never end, and is an error. */
#ifndef PIPEC_GATE_H
#define PIPEC_GATE_H

#include "sema.h"

/* Reports each join of dag whose other stream needs items of a source that
 * also waits for the join's flow (to s's diagnostics); returns how many. */
int gate_check(Sema *s, const Dag *dag);

#endif
