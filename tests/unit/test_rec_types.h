/* test_rec_types.h — descriptors of T? for tests of records and optionals:
 * str?, int? and float? laid out as the compiler lays them out ({T v; bool some;}). */
#ifndef TEST_REC_TYPES_H
#define TEST_REC_TYPES_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#include "pipe.h"

typedef struct OptStr {
    PipeStr v;
    bool some;
} OptStr;
typedef struct OptInt {
    int64_t v;
    bool some;
} OptInt;
typedef struct OptFloat {
    double v;
    bool some;
} OptFloat;

static const PipeType t_opt_str = {PIPE_K_OPT, sizeof(OptStr), alignof(OptStr), 0, NULL, NULL, &pipe_t_str, NULL, NULL, NULL};
static const PipeType t_opt_int = {PIPE_K_OPT, sizeof(OptInt), alignof(OptInt), 0, NULL, NULL, &pipe_t_int, NULL, NULL, NULL};
static const PipeType t_opt_float = {PIPE_K_OPT, sizeof(OptFloat), alignof(OptFloat), 0, NULL, NULL, &pipe_t_float, NULL, NULL, NULL};

#endif
