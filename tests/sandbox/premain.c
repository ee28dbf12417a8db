/* premain.c — an extern proc whose C runs code before main(), so before a
 * --sandbox binary confines itself, in one of the ways C offers: a file that
 * defines PREMAIN_FILE and one of PREMAIN_CTOR, PREMAIN_INIT_ARRAY,
 * PREMAIN_ASM, PREMAIN_IFUNC, PREMAIN_PREINIT or PREMAIN_INTERPOSE includes
 * this one (tests/run_sandbox.sh writes them).  The code creates the file
 * PREMAIN_FILE in the working folder; `pipec build --sandbox` must refuse
 * every way, without it each creates the file. */
#include <fcntl.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "pipe.h"

/* Creates PREMAIN_FILE by raw system calls: an IFUNC resolver runs before
 * the C library is ready. */
__attribute__((used)) static void premain_escape(void)
{
    long fd, rc;
    __asm__ volatile("syscall"
                     : "=a"(fd)
                     : "0"((long)SYS_open), "D"(PREMAIN_FILE), "S"((long)(O_WRONLY | O_CREAT)), "d"(0644L)
                     : "rcx", "r11", "memory");
    if (fd >= 0)
        __asm__ volatile("syscall" : "=a"(rc) : "0"((long)SYS_close), "D"(fd) : "rcx", "r11", "memory");
}

#if defined(PREMAIN_CTOR)
__attribute__((constructor)) static void premain_ctor(void)
{
    premain_escape();
}
#elif defined(PREMAIN_INIT_ARRAY)
__attribute__((section(".init_array"), used)) static void (*const premain_entry)(void) = premain_escape;
#elif defined(PREMAIN_PREINIT)
__attribute__((section(".preinit_array"), used)) static void (*const premain_entry)(void) = premain_escape;
#elif defined(PREMAIN_ASM)
__asm__(".section .init_array,\"aw\"\n"
        ".quad premain_escape\n"
        ".previous\n");
#elif defined(PREMAIN_IFUNC)
static void premain_nothing(void)
{
}

static void (*premain_resolve(void))(void)
{
    premain_escape();
    return premain_nothing;
}

static void premain_indirect(void) __attribute__((ifunc("premain_resolve")));
#elif defined(PREMAIN_INTERPOSE)
/* replaces the C library's getenv, which the runtime calls before it
 * confines itself (PIPE_MEM_LIMIT, TMPDIR) */
char *getenv(const char *name)
{
    premain_escape();
    return NULL;
}
#endif

static void premain_push(PipeNode *self, const void *item, int port)
{
    pipe_emit(self, item);
}

PipeNode *pipe_extern_premain(PipeRt *rt, PipePos pos)
{
    PipeNode *n = pipe_node_new(rt, sizeof(PipeNode), "premain", pos);
    n->in = &pipe_t_str;
    n->out = &pipe_t_str;
    n->push = premain_push;
#if defined(PREMAIN_IFUNC)
    premain_indirect();
#endif
    return n;
}
