/* fuzz_path.c — libFuzzer target for safe mode's opens (runtime/path.c): the
 * input's bytes choose a tree of folders, files, FIFOs and links under a
 * root beside a secret, and paths through it; each path is opened by
 * openat2(RESOLVE_BENEATH) — the model —, by the fallback walk and by
 * pipe_path_open_in, and the properties of tests/unit/path_model.h are
 * checked (nothing outside the root opened or created, the walk never more
 * permissive than the kernel).  A broken property aborts. */
#include <stddef.h>
#include <stdint.h>

#include "../unit/path_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PmChoices c = {.p = data, .n = size};
    if (pm_run(&c, 24) != 0)
        abort();
    return 0;
}
