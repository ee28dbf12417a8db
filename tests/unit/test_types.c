/* test_types.c — unit tests of Pipe types (compiler/types.c): constructors,
 * equality, fitting, order and hashability, user-facing names and type ids. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "types.h"

/* A small parser of type text ("(str, [int])", "{str: int}", "{int}") so the
 * tables below can be written as users write types.  Letters stand for the
 * special kinds: "!" T_ERROR, "[]" T_EMPTY_LIST, "~" T_VOID. */
static Type *ty_parse(PipeArena *a, const char **p)
{
    while (**p == ' ')
        (*p)++;
    const char *s = *p;
    static const struct {
        const char *word;
        Type *t;
    } words[] = {{"str", TY_STR}, {"int", TY_INT}, {"float", TY_FLOAT}, {"bool", TY_BOOL}, {"!", TY_ERROR},
                 {"~", TY_VOID},  {"[]", TY_EMPTY_LIST}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if (!strncmp(s, words[i].word, n)) {
            *p += n;
            return words[i].t;
        }
    }
    if (*s == '[') {
        (*p)++;
        Type *e = ty_parse(a, p);
        assert_int_equal(**p, ']');
        (*p)++;
        return type_list(a, e);
    }
    if (*s == '(') {
        (*p)++;
        Type *f[16];
        int n = 0;
        while (**p != ')') {
            f[n++] = ty_parse(a, p);
            while (**p == ',' || **p == ' ')
                (*p)++;
        }
        (*p)++;
        return type_tuple(a, f, n);
    }
    if (*s == '{') {
        (*p)++;
        Type *k = ty_parse(a, p);
        while (**p == ' ')
            (*p)++;
        if (**p == '}') {
            (*p)++;
            return type_set(a, k);
        }
        assert_int_equal(**p, ':');
        (*p)++;
        Type *v = ty_parse(a, p);
        while (**p == ' ')
            (*p)++;
        assert_int_equal(**p, '}');
        (*p)++;
        return type_map(a, k, v);
    }
    fail_msg("bad type text at '%s'", s);
    return NULL;
}

static Type *ty(PipeArena *a, const char *text)
{
    const char *p = text;
    Type *t = ty_parse(a, &p);
    assert_int_equal(*p, 0);
    return t;
}

static void test_constructors(void **state)
{
    (void)state;
    PipeArena a = {0};
    Type *f[3] = {TY_STR, TY_INT, TY_FLOAT};
    Type *t = type_tuple(&a, f, 3);
    f[0] = TY_BOOL; /* the constructor copies the fields */
    assert_int_equal(t->kind, T_TUPLE);
    assert_int_equal(t->n, 3);
    assert_ptr_equal(t->elems[0], TY_STR);
    assert_ptr_equal(t->elems[2], TY_FLOAT);
    Type *p = type_pair(&a, TY_INT, TY_STR);
    assert_int_equal(p->kind, T_TUPLE);
    assert_int_equal(p->n, 2);
    assert_ptr_equal(p->elems[0], TY_INT);
    assert_ptr_equal(p->elems[1], TY_STR);
    Type *l = type_list(&a, p);
    assert_int_equal(l->kind, T_LIST);
    assert_ptr_equal(l->elems[0], p);
    Type *m = type_map(&a, TY_STR, l);
    assert_int_equal(m->kind, T_MAP);
    assert_ptr_equal(m->elems[0], TY_STR);
    assert_ptr_equal(m->elems[1], l);
    Type *s = type_set(&a, TY_INT);
    assert_int_equal(s->kind, T_SET);
    assert_ptr_equal(s->elems[0], TY_INT);
    /* the empty tuple is a valid type (fields must not be NULL even for n = 0:
     * type_tuple memcpy's from it, and UBSan rejects memcpy from NULL) */
    Type *e = type_tuple(&a, f, 0);
    assert_int_equal(e->kind, T_TUPLE);
    assert_int_equal(e->n, 0);
    assert_string_equal(type_name(&a, e), "()");
    assert_int_equal(TY_STR->kind, T_STR);
    assert_int_equal(TY_INT->kind, T_INT);
    assert_int_equal(TY_FLOAT->kind, T_FLOAT);
    assert_int_equal(TY_BOOL->kind, T_BOOL);
    assert_int_equal(TY_ERROR->kind, T_ERROR);
    assert_int_equal(TY_EMPTY_LIST->kind, T_EMPTY_LIST);
    assert_int_equal(TY_VOID->kind, T_VOID);
    pipe_arena_free(&a);
}

typedef struct PairCase {
    const char *x, *y;
    bool eq;   /* type_eq(x, y), which must be symmetric */
    bool fits; /* type_fits(x, y): a value of x where y is expected */
} PairCase;

static const PairCase pairs[] = {
    {"str", "str", true, true},
    {"str", "int", false, false},
    {"int", "float", false, false}, /* no implicit conversion between types */
    {"bool", "int", false, false},
    {"(str, int)", "(str, int)", true, true},
    {"(str, int)", "(int, str)", false, false},
    {"(str, int)", "(str, int, int)", false, false},
    {"(str)", "str", false, false},
    {"[int]", "[int]", true, true},
    {"[int]", "[str]", false, false},
    {"[int]", "{int}", false, false},
    {"{int}", "{int}", true, true},
    {"{str: int}", "{str: int}", true, true},
    {"{str: int}", "{str: float}", false, false},
    {"{str: int}", "{int: int}", false, false},
    {"{str: [(int, str)]}", "{str: [(int, str)]}", true, true},
    {"{str: [(int, str)]}", "{str: [(int, bool)]}", false, false},
    /* T_ERROR is equal to anything, at any depth, so errors don't cascade */
    {"!", "str", true, true},
    {"str", "!", true, true},
    {"!", "{str: [int]}", true, true},
    {"(!, int)", "(str, int)", true, true},
    {"[!]", "[(int, int)]", true, true},
    {"{!: int}", "{str: int}", true, true},
    {"(!, int)", "(str, str)", false, false},
    {"(!, int)", "(str, int, int)", false, false},
    /* the empty list literal fits any list, but is not equal to one */
    {"[]", "[int]", false, true},
    {"[]", "[[str]]", false, true},
    {"[]", "[]", true, true},
    {"[]", "!", true, true},
    {"[]", "str", false, false},
    {"[]", "{int}", false, false},
    {"[int]", "[]", false, false},
    {"[[]]", "[[int]]", false, false}, /* only the top level */
    {"~", "~", true, true},
    {"~", "int", false, false},
};

static void test_eq_and_fits(void **state)
{
    (void)state;
    PipeArena a = {0};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const PairCase *c = &pairs[i];
        Type *x = ty(&a, c->x), *y = ty(&a, c->y);
        if (type_eq(x, y) != c->eq || type_eq(y, x) != c->eq || type_fits(x, y) != c->fits)
            fail_msg("%s vs %s: eq %d/%d (want %d), fits %d (want %d)", c->x, c->y, type_eq(x, y), type_eq(y, x),
                     c->eq, type_fits(x, y), c->fits);
        /* every type equals itself, and a structurally equal copy of itself */
        assert_true(type_eq(x, x));
        assert_true(type_eq(x, ty(&a, c->x)));
        assert_true(type_fits(x, ty(&a, c->x)));
    }
    pipe_arena_free(&a);
}

typedef struct KindCase {
    const char *t;
    bool num, ordered, hashable;
} KindCase;

static const KindCase kinds[] = {
    {"str", false, true, true},
    {"int", true, true, true},
    {"float", true, true, true},
    {"bool", false, true, true},
    {"!", true, true, true},
    {"(str, int)", false, true, true},
    {"(str, [int])", false, true, true},
    {"[int]", false, true, true},
    {"[[str]]", false, true, true},
    {"[(int, float)]", false, true, true},
    {"{int}", false, false, false},
    {"{str: int}", false, false, false},
    {"(str, {int})", false, false, false},
    {"[{str: int}]", false, false, false},
    {"([{int}], int)", false, false, false},
    {"~", false, false, false},
};

static void test_kinds(void **state)
{
    (void)state;
    PipeArena a = {0};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const KindCase *c = &kinds[i];
        Type *t = ty(&a, c->t);
        if (type_is_num(t) != c->num || type_is_ordered(t) != c->ordered || type_is_hashable(t) != c->hashable)
            fail_msg("%s: num %d ordered %d hashable %d, want %d %d %d", c->t, type_is_num(t), type_is_ordered(t),
                     type_is_hashable(t), c->num, c->ordered, c->hashable);
    }
    pipe_arena_free(&a);
}

typedef struct NameCase {
    const char *t;
    const char *name;
} NameCase;

static const NameCase names[] = {
    {"str", "str"},
    {"int", "int"},
    {"float", "float"},
    {"bool", "bool"},
    {"!", "<error>"},
    {"[]", "[]"},
    {"~", "nothing"},
    {"(str, int)", "(str, int)"},
    {"(int, str, bool)", "(int, str, bool)"},
    {"[int]", "[int]"},
    {"{int}", "{int}"},
    {"{str: [int]}", "{str: [int]}"},
    {"{str: {str: int}}", "{str: {str: int}}"},
    {"[(str, int)]", "[(str, int)]"},
    {"((int, int), [str])", "((int, int), [str])"},
};

/* A tuple of n str fields and then `last`. */
static Type *wide(PipeArena *a, int n, Type *last)
{
    Type **f = pipe_alloc(a, sizeof(Type *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        f[i] = TY_STR;
    f[n] = last;
    return type_tuple(a, f, n + 1);
}

static void test_names(void **state)
{
    (void)state;
    PipeArena a = {0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const NameCase *c = &names[i];
        assert_string_equal(type_name(&a, ty(&a, c->t)), c->name);
    }
    /* a very deep or wide type is cut short, not overflowed, and says so */
    Type *deep = TY_INT;
    for (int i = 0; i < 600; i++)
        deep = type_list(&a, deep);
    const char *d = type_name(&a, deep);
    assert_int_equal(strlen(d), TYPE_NAME_MAX);
    assert_string_equal(d + TYPE_NAME_MAX - 3, "...");
    const char *w = type_name(&a, wide(&a, 599, TY_INT));
    assert_int_equal(strlen(w), TYPE_NAME_MAX);
    assert_memory_equal(w, "(str, str, ", 11);
    assert_string_equal(w + TYPE_NAME_MAX - 3, "...");
    /* one that just fits is whole: "(" + 203 "str, " + "int)" is 1020 bytes */
    assert_int_equal(strlen(type_name(&a, wide(&a, 203, TY_INT))), 1020);
    pipe_arena_free(&a);
}

/* Different structures get different ids and equal ones equal ids (the
 * emitter names C types by id), including pairs that differ only in how parts
 * nest, and types whose printed names are cut alike. */
static const char *const distinct[] = {
    "str", "int", "float", "bool",
    "(str, int)", "(int, str)", "(str, int, int)", "((str, int), int)", "(str, (int, int))",
    "(str)", "((str))", "([int])", "[(int)]",
    "[int]", "[[int]]", "[str]", "{int}", "{[int]}", "[{int}]",
    "{str: int}", "{int: str}", "{str: [int]}", "[{str: int}]",
    "{str: {str: int}}", "{{str: str}: int}", "{(str, str): int}", "{str: (str, int)}",
    "([int], int)", "[(int, int)]", "{(int, int)}", "([int], [int])", "[([int], [int])]",
    "(int, [int], int)", "(int, [(int, int)])", "((int, [int]), int)",
    "{str: {str}}", "{{str}: str}", "({str}, str)", "({str: str})",
    "!", "[]", "~",
};

static void test_ids(void **state)
{
    (void)state;
    PipeArena a = {0};
    TypeTab *tab = type_tab_new();
    size_t n = sizeof distinct / sizeof distinct[0];
    int id[sizeof distinct / sizeof distinct[0]];
    for (size_t i = 0; i < n; i++) {
        id[i] = type_id(tab, ty(&a, distinct[i]));
        /* equal structure (another Type of it), equal id */
        assert_int_equal(id[i], type_id(tab, ty(&a, distinct[i])));
        assert_true(id[i] < type_tab_count(tab));
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (id[i] == id[j])
                fail_msg("%s and %s both have id %d", distinct[i], distinct[j], id[i]);
    /* a type's parts have smaller ids than the type */
    Type *pair = ty(&a, "([str], {int: str})");
    int whole = type_id(tab, pair);
    assert_true(type_id(tab, pair->elems[0]) < whole);
    assert_true(type_id(tab, pair->elems[1]) < whole);
    type_tab_free(tab);
    pipe_arena_free(&a);
}

/* Types whose printed names agree in their first TYPE_NAME_MAX bytes (599
 * strs, then an int or a float) still get two ids; before, the emitter keyed
 * C structs by a name cut at 1023 bytes and merged them. */
static void test_ids_wide_and_many(void **state)
{
    (void)state;
    PipeArena a = {0};
    TypeTab *tab = type_tab_new();
    Type *x = wide(&a, 599, TY_INT), *y = wide(&a, 599, TY_FLOAT);
    assert_string_equal(type_name(&a, x), type_name(&a, y));
    assert_int_not_equal(type_id(tab, x), type_id(tab, y));
    assert_int_equal(type_id(tab, x), type_id(tab, wide(&a, 599, TY_INT)));
    /* thousands of types: the tables grow and keep every id */
    Type *l = TY_INT;
    int ids[3000];
    for (int i = 0; i < 3000; i++) {
        l = type_list(&a, l);
        ids[i] = type_id(tab, l);
    }
    l = TY_INT;
    for (int i = 0; i < 3000; i++) {
        l = type_list(&a, l);
        assert_int_equal(type_id(tab, l), ids[i]);
    }
    type_tab_free(tab);
    pipe_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_eq_and_fits),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_ids_wide_and_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
