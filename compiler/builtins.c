/* builtins.c — signature tables of the standard functions and stages.
 * Adding a stage here makes the checker accept it; emit.c must then build it. */
#include "builtins.h"

#include <stdio.h>
#include <string.h>

static const Builtin builtins[] = {
    {"len", 1, 1, -1},        {"upper", 1, 1, -1},   {"lower", 1, 1, -1},       {"trim", 1, 1, -1},
    {"contains", 2, 2, -1},   {"starts_with", 2, 2, -1}, {"ends_with", 2, 2, -1}, {"find", 2, 2, -1},
    {"substr", 2, 3, -1},     {"replace", 3, 3, 1},  {"matches", 2, 2, 1},      {"split", 2, 2, -1},
    {"join", 2, 2, -1},       {"words", 1, 1, -1},   {"to_int", 1, 1, -1},      {"to_float", 1, 1, -1},
    {"str", 1, 1, -1},        {"abs", 1, 1, -1},     {"min", 2, 2, -1},         {"max", 2, 2, -1},
    {"add", 2, 2, -1},        {"remove", 2, 2, -1},  {"keys", 1, 1, -1},        {"field", 3, 3, -1},
    {"find_all", 2, 2, 1},
};

const Builtin *builtin_find(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (!strcmp(builtins[i].name, name))
            return &builtins[i];
    return NULL;
}

static bool is(const Type *t, TypeKind k)
{
    return t->kind == k;
}

Type *builtin_type(PipeArena *a, const Builtin *b, Type **at, int n, char *why, size_t whylen)
{
    const char *f = b->name;
    char t0[128], t1[128];
    snprintf(t0, sizeof t0, "%s", type_name(a, at[0]));
    snprintf(t1, sizeof t1, "%s", n > 1 ? type_name(a, at[1]) : "");
#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return NULL; } while (0)
#define NEED_STR(i) do { if (!is(at[i], T_STR)) FAIL("argument %d of %s must be str, found %s", (i) + 1, f, type_name(a, at[i])); } while (0)
#define NEED_INT(i) do { if (!is(at[i], T_INT)) FAIL("argument %d of %s must be int, found %s", (i) + 1, f, type_name(a, at[i])); } while (0)
    if (!strcmp(f, "len")) {
        if (is(at[0], T_STR) || is(at[0], T_LIST) || is(at[0], T_MAP) || is(at[0], T_SET) || is(at[0], T_EMPTY_LIST))
            return TY_INT;
        FAIL("len needs a str, list, map or set, found %s", t0);
    }
    if (!strcmp(f, "upper") || !strcmp(f, "lower") || !strcmp(f, "trim")) {
        NEED_STR(0);
        return TY_STR;
    }
    if (!strcmp(f, "contains") || !strcmp(f, "starts_with") || !strcmp(f, "ends_with") || !strcmp(f, "matches")) {
        NEED_STR(0);
        NEED_STR(1);
        return TY_BOOL;
    }
    if (!strcmp(f, "find")) {
        NEED_STR(0);
        NEED_STR(1);
        return TY_INT;
    }
    if (!strcmp(f, "substr")) {
        NEED_STR(0);
        NEED_INT(1);
        if (n > 2)
            NEED_INT(2);
        return TY_STR;
    }
    if (!strcmp(f, "replace")) {
        NEED_STR(0);
        NEED_STR(1);
        NEED_STR(2);
        return TY_STR;
    }
    if (!strcmp(f, "split") || !strcmp(f, "find_all")) {
        NEED_STR(0);
        NEED_STR(1);
        return type_list(a, TY_STR);
    }
    if (!strcmp(f, "words")) {
        NEED_STR(0);
        return type_list(a, TY_STR);
    }
    if (!strcmp(f, "field")) {
        NEED_STR(0);
        NEED_INT(1);
        NEED_STR(2);
        return TY_STR;
    }
    if (!strcmp(f, "join")) {
        if (!is(at[0], T_LIST) && !is(at[0], T_EMPTY_LIST))
            FAIL("join needs a list, found %s", t0);
        NEED_STR(1);
        return TY_STR;
    }
    if (!strcmp(f, "to_int")) {
        if (is(at[0], T_STR) || is(at[0], T_FLOAT) || is(at[0], T_INT))
            return TY_INT;
        FAIL("to_int needs a str or a float, found %s", t0);
    }
    if (!strcmp(f, "to_float")) {
        if (is(at[0], T_STR) || is(at[0], T_INT) || is(at[0], T_FLOAT))
            return TY_FLOAT;
        FAIL("to_float needs a str or an int, found %s", t0);
    }
    if (!strcmp(f, "str")) {
        if (is(at[0], T_VOID) || is(at[0], T_EMPTY_LIST))
            FAIL("str needs a value of a known type, found %s", t0);
        return TY_STR;
    }
    if (!strcmp(f, "abs")) {
        if (type_is_num(at[0]))
            return at[0];
        FAIL("abs needs a number, found %s", t0);
    }
    if (!strcmp(f, "min") || !strcmp(f, "max")) {
        if (type_is_num(at[0]) && type_is_num(at[1]))
            return (is(at[0], T_FLOAT) || is(at[1], T_FLOAT)) ? TY_FLOAT : TY_INT;
        if (!type_eq(at[0], at[1]))
            FAIL("%s needs two values of one type, found %s and %s", f, t0, t1);
        if (!type_is_ordered(at[0]))
            FAIL("%s needs values with an order, found %s", f, t0);
        return at[0];
    }
    if (!strcmp(f, "add")) {
        if (is(at[0], T_SET) || is(at[0], T_LIST)) {
            if (!type_fits(at[1], at[0]->elems[0]))
                FAIL("add to %s needs a %s, found %s", t0, type_name(a, at[0]->elems[0]), t1);
            return TY_VOID;
        }
        FAIL("add needs a set or a list, found %s", t0);
    }
    if (!strcmp(f, "remove")) {
        if (is(at[0], T_SET) || is(at[0], T_MAP)) {
            if (!type_eq(at[0]->elems[0], at[1]))
                FAIL("remove from %s needs a %s, found %s", t0, type_name(a, at[0]->elems[0]), t1);
            return TY_VOID;
        }
        FAIL("remove needs a set or a map, found %s", t0);
    }
    if (!strcmp(f, "keys")) {
        if (is(at[0], T_SET) || is(at[0], T_MAP))
            return type_list(a, at[0]->elems[0]);
        FAIL("keys needs a map or a set, found %s", t0);
    }
    FAIL("unknown function %s", f);
#undef FAIL
#undef NEED_STR
#undef NEED_INT
}

#define NOARGS 0, 0, {0}, {0}
static const StdStage stages[] = {
    /* sources */
    {"stdin", R_SOURCE, I_ANY, O_STR, NOARGS, false},
    {"file", R_SOURCE, I_ANY, O_STR, 1, 1, {"path"}, {A_PATH}, false},
    {"files", R_SOURCE, I_ANY, O_STR, 1, 1, {"glob"}, {A_PATH}, false},
    {"range", R_SOURCE, I_ANY, O_INT, 2, 2, {"from", "to"}, {A_INT, A_INT}, false},
    {"lines", R_SOURCE, I_ANY, O_STR, 1, 1, {"text"}, {A_STR}, false},
    /* sinks */
    {"stdout", R_SINK, I_ANY, O_SAME, NOARGS, false},
    {"stderr", R_SINK, I_ANY, O_SAME, NOARGS, false},
    {"file", R_SINK, I_ANY, O_SAME, 1, 1, {"path"}, {A_PATH}, false},
    {"append", R_SINK, I_ANY, O_SAME, 1, 1, {"path"}, {A_PATH}, false},
    {"discard", R_SINK, I_ANY, O_SAME, NOARGS, false},
    /* processors */
    {"grep", R_PROC, I_STR, O_STR, 1, 1, {"regex"}, {A_REGEX}, false},
    {"grep_v", R_PROC, I_STR, O_STR, 1, 1, {"regex"}, {A_REGEX}, false},
    {"grep_f", R_PROC, I_STR, O_STR, 1, 1, {"literal"}, {A_STR}, false},
    {"replace", R_PROC, I_STR, O_STR, 2, 2, {"regex", "with"}, {A_REGEX, A_STR}, false},
    {"find_all", R_PROC, I_STR, O_STR, 1, 1, {"regex"}, {A_REGEX}, false},
    {"upper", R_PROC, I_STR, O_STR, NOARGS, false},
    {"lower", R_PROC, I_STR, O_STR, NOARGS, false},
    {"trim", R_PROC, I_STR, O_STR, NOARGS, false},
    {"words", R_PROC, I_STR, O_STR, NOARGS, false},
    {"split", R_PROC, I_STR, O_STR, 1, 1, {"sep"}, {A_STR}, false},
    {"field", R_PROC, I_STR, O_STR, 2, 2, {"i", "sep"}, {A_INT, A_STR}, false},
    {"to_int", R_PROC, I_STR, O_INT, NOARGS, false},
    {"to_float", R_PROC, I_STR, O_FLOAT, NOARGS, false},
    {"format", R_PROC, I_ANY, O_STR, 1, 1, {"fmt"}, {A_STR}, false},
    {"head", R_PROC, I_ANY, O_SAME, 1, 1, {"n"}, {A_INT}, false},
    {"tail", R_PROC, I_ANY, O_SAME, 1, 1, {"n"}, {A_INT}, false},
    {"skip", R_PROC, I_ANY, O_SAME, 1, 1, {"n"}, {A_INT}, false},
    {"uniq", R_PROC, I_HASH, O_SAME, NOARGS, false},
    {"distinct", R_PROC, I_HASH, O_SAME, NOARGS, false},
    {"sort", R_PROC, I_ANY, O_SAME, 2, 0, {"by", "desc"}, {A_FN, A_BOOL}, false},
    {"top", R_PROC, I_ANY, O_SAME, 2, 1, {"n", "by"}, {A_INT, A_FN}, false},
    {"count", R_PROC, I_HASH, O_COUNT, NOARGS, false},
    {"count_items", R_PROC, I_ANY, O_INT, NOARGS, false},
    {"sum", R_PROC, I_NUM, O_SAME, NOARGS, false},
    {"min", R_PROC, I_ORD, O_SAME, NOARGS, false},
    {"max", R_PROC, I_ORD, O_SAME, NOARGS, false},
    {"avg", R_PROC, I_NUM, O_FLOAT, NOARGS, false},
    {"enumerate", R_PROC, I_ANY, O_ENUM, NOARGS, false},
    {"map", R_PROC, I_ANY, O_SAME, 1, 1, {"f"}, {A_FN}, false},
    {"filter", R_PROC, I_ANY, O_SAME, 1, 1, {"f"}, {A_FN}, false},
    {"flat_map", R_PROC, I_ANY, O_SAME, 1, 1, {"f"}, {A_FN}, false},
    {"tee", R_PROC, I_ANY, O_SAME, 1, 1, {"sink"}, {A_SINK}, false},
    {"exec", R_PROC, I_STR, O_STR, 3, 1, {"cmd", "retries", "backoff_ms"}, {A_STR, A_INT, A_INT}, true},
    /* fan-in */
    {"merge", R_FANIN, I_ANY, O_SAME, NOARGS, false},
    {"concat", R_FANIN, I_ANY, O_SAME, NOARGS, false},
    {"zip", R_FANIN, I_ANY, O_SAME, NOARGS, false},
};

const StdStage *std_stage_find(const char *name, bool has_in, bool last)
{
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
        const StdStage *s = &stages[i];
        if (strcmp(s->name, name))
            continue;
        switch (s->role) {
        case R_SOURCE:
        case R_FANIN:
            if (!has_in)
                return s;
            break;
        case R_SINK:
            if (has_in && last)
                return s;
            break;
        case R_PROC:
            if (has_in)
                return s;
            break;
        }
    }
    return NULL;
}

bool std_stage_exists(const char *name)
{
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (!strcmp(stages[i].name, name))
            return true;
    return false;
}

bool std_stage_unsafe(const char *name)
{
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (!strcmp(stages[i].name, name) && stages[i].unsafe)
            return true;
    return false;
}
