/* test_sha256.c — unit tests of compiler/sha256.c: the FIPS 180-2 example
 * messages, lengths around the padding boundaries, and any split of a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"

/* FIPS 180-2 appendix B (and its long-message example) */
static void test_fips_vectors(void **state)
{
    static const struct {
        const char *msg, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopq"
         "rstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char hex[65];
        sha256_hex(v[i].msg, strlen(v[i].msg), hex);
        assert_string_equal(hex, v[i].hex);
    }
}

/* a million 'a', fed in pieces of 1000 and, again, whole */
static void test_million_a(void **state)
{
    static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    char piece[1000];
    memset(piece, 'a', sizeof piece);
    Sha256 c;
    sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        sha256_update(&c, piece, sizeof piece);
    unsigned char d[32];
    sha256_final(&c, d);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    assert_string_equal(hex, want);
    char *all = malloc(1000000);
    memset(all, 'a', 1000000);
    sha256_hex(all, 1000000, hex);
    free(all);
    assert_string_equal(hex, want);
}

/* byte i of the test message: (7i + 3) mod 256 */
static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)((i * 7 + 3) & 255);
}

/* lengths where the padding needs one block or two (55, 56, 63, 64, ...), from Python's hashlib */
static void test_padding_boundaries(void **state)
{
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {111, "67d9492e628fd376e0b2efec8ca2b99b123e202cf620deb270728df979b2f73e"},
        {112, "96b928cff8528dbb99602c709a65b846cb6467acb8b722f0d758e4dc27bfc508"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
        {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
    };
    unsigned char msg[128];
    fill(msg, sizeof msg);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char hex[65];
        sha256_hex(msg, v[i].n, hex);
        assert_string_equal(hex, v[i].hex);
    }
}

/* every split of a 200-byte message into three updates gives the one-shot digest */
static void test_any_split(void **state)
{
    unsigned char msg[200];
    fill(msg, sizeof msg);
    unsigned char want[32], got[32];
    Sha256 c;
    sha256_init(&c);
    sha256_update(&c, msg, sizeof msg);
    sha256_final(&c, want);
    for (size_t a = 0; a <= sizeof msg; a += 3)
        for (size_t b = a; b <= sizeof msg; b += 5) {
            sha256_init(&c);
            sha256_update(&c, msg, a);
            sha256_update(&c, msg + a, b - a);
            sha256_update(&c, msg + b, sizeof msg - b);
            sha256_final(&c, got);
            assert_memory_equal(got, want, 32);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_any_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
