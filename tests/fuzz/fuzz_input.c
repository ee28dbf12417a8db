/* fuzz_input.c — libFuzzer target for the runtime's input path: any bytes, fed
 * on stdin through the real line reader, into one of a fixed set of pipelines. */
#define _GNU_SOURCE 1
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_pipes.h" /* generated from tests/fuzz/pipes/ (emit_pipes.sh) */
#include "fuzz_stdin.h"
#include "rt_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPIPES (sizeof fuzz_pipes / sizeof fuzz_pipes[0])

/* What the two header bytes of an input chose (see LLVMFuzzerTestOneInput). */
static struct {
    const PipeProgram *prog;
    size_t read_size, mem_limit;
} cfg;

/* The chosen pipeline's build, after setting the run's test knobs: the reader's
 * buffer size and sort's memory budget. */
static void build_hooked(PipeRt *rt, const void *params)
{
    rt->read_size = cfg.read_size;
    rt->mem_limit = cfg.mem_limit;
    cfg.prog->build(rt, params);
}

/* data[0] picks the pipeline (modulo their count); data[1] bit 7 feeds stdin
 * through a pipe, bit 6 sets the smallest memory budget (64 KiB: sort spills
 * runs to temporary files) instead of the default, bits 0-5 the reader's bytes per read: 0 the default 256 KiB, 1-47
 * that many (at least 4), 48-63 1 KiB to 16 KiB.  The rest is the input.
 * A runtime error (exit code 1) is a normal outcome; a usage error a bug here. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    cfg.prog = fuzz_pipes[data[0] % NPIPES];
    cfg.read_size = fuzz_read_size(data[1]);
    cfg.mem_limit = data[1] & 64 ? (size_t)64 << 10 : 0;
    fuzz_feed_stdin(data + 2, size - 2, data[1] & 128);

    PipeProgram hooked = *cfg.prog;
    hooked.build = build_hooked;
    char arg0[] = "fuzz_input";
    char *argv[] = {arg0, NULL};
    int rc = pipe_main(&hooked, 1, argv);
    if (rc != 0 && rc != 1)
        abort();
    return 0;
}
