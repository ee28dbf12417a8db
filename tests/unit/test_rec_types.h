/* test_rec_types.h — runtime type descriptors for tests of records and
 * optionals (unit tests and fuzz_records), laid out as the compiler lays them out.
 *
 * A record or tuple is written once, one line per field, as an X-macro
 * FIELDS(X, S) expanding X(S, C type, member, descriptor) per field:
 *
 *     #define ITEM_FIELDS(X, S) X(S, PipeStr, name, &pipe_t_str) X(S, int64_t, qty, &pipe_t_int)
 *     TEST_RECORD(Item, t_item, ITEM_FIELDS);
 *
 * declares `typedef struct Item {...} Item;` and `t_item`, its PIPE_K_RECORD
 * named "Item", whose field types, offsets and names all come from that list,
 * so the struct and the descriptor cannot drift apart. */
#ifndef TEST_REC_TYPES_H
#define TEST_REC_TYPES_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipe.h"

#define TEST_F_MEMBER(S, ctype, f, t) ctype f;
#define TEST_F_TYPE(S, ctype, f, t) t,
#define TEST_F_OFFSET(S, ctype, f, t) offsetof(S, f),
#define TEST_F_NAME(S, ctype, f, t) #f,

/* The struct S and the arrays its descriptor points to (fields' types, offsets). */
#define TEST_STRUCT_(S, tvar, FIELDS)                                  \
    typedef struct S {                                                 \
        FIELDS(TEST_F_MEMBER, S)                                       \
    } S;                                                               \
    static const PipeType *const tvar##_fields[] = {FIELDS(TEST_F_TYPE, S)}; \
    static const uint32_t tvar##_offsets[] = {FIELDS(TEST_F_OFFSET, S)}
#define TEST_NFIELDS_(tvar) ((uint32_t)(sizeof tvar##_offsets / sizeof tvar##_offsets[0]))

/* record S { FIELDS }: the struct S and its descriptor tvar. */
#define TEST_RECORD(S, tvar, FIELDS)                                                             \
    TEST_STRUCT_(S, tvar, FIELDS);                                                               \
    static const char *const tvar##_names[] = {FIELDS(TEST_F_NAME, S)};                          \
    static const PipeType tvar = {PIPE_K_RECORD, sizeof(S), alignof(S), TEST_NFIELDS_(tvar),     \
                                  tvar##_fields, tvar##_offsets, NULL, NULL, #S, tvar##_names}

/* A tuple of FIELDS (the member names are the C side's only). */
#define TEST_TUPLE(S, tvar, FIELDS)  \
    TEST_STRUCT_(S, tvar, FIELDS);   \
    static const PipeType tvar = {PIPE_K_TUPLE, sizeof(S), alignof(S), TEST_NFIELDS_(tvar), \
                                  tvar##_fields, tvar##_offsets, NULL, NULL, NULL, NULL}

/* T? for the C type ctype of descriptor elem: the struct {T v; bool some;} S. */
#define TEST_OPT(S, tvar, ctype, elem) \
    typedef struct S {                 \
        ctype v;                       \
        bool some;                     \
    } S;                               \
    static const PipeType tvar = {PIPE_K_OPT, sizeof(S), alignof(S), 0, NULL, NULL, elem, NULL, NULL, NULL}

/* [elem], {elem} and {key: val}: each a pointer in its record. */
#define TEST_CONTAINER_(kind, tvar, elem, val) \
    static const PipeType tvar = {kind, sizeof(void *), alignof(void *), 0, NULL, NULL, elem, val, NULL, NULL}
#define TEST_LIST(tvar, elem) TEST_CONTAINER_(PIPE_K_LIST, tvar, elem, NULL)
#define TEST_SET(tvar, elem) TEST_CONTAINER_(PIPE_K_SET, tvar, elem, NULL)
#define TEST_MAP(tvar, key, val) TEST_CONTAINER_(PIPE_K_MAP, tvar, key, val)

/* ---- the optionals of the scalars */

TEST_OPT(OptStr, t_opt_str, PipeStr, &pipe_t_str);
TEST_OPT(OptInt, t_opt_int, int64_t, &pipe_t_int);
TEST_OPT(OptFloat, t_opt_float, double, &pipe_t_float);
TEST_OPT(OptBool, t_opt_bool, bool, &pipe_t_bool);

/* ---- containers the record tests share */

TEST_LIST(t_list_str, &pipe_t_str);
TEST_MAP(t_map_str_int, &pipe_t_str, &pipe_t_int);

#endif
