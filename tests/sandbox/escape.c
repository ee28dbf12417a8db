/* escape.c — an extern proc that tries, in its constructor and its open hook,
 * to reach beyond the script's data: read an undeclared file and /etc/passwd,
 * create a file (also in $TMPDIR), fork, spawn and exec a program, run
 * system(), open sockets, look at paths (stat, access, readlink, O_PATH),
 * push a character into the terminal's input (TIOCSTI) and, when
 * $PIPE_VICTIM names a process, change its limits and have the kernel send
 * it SIGKILL when input arrives (F_SETOWN, F_SETSIG, O_ASYNC on stdin, then
 * two reads of stdin: give it lines written one after another).  It emits a line per attempt ("WHAT ok"
 * or "WHAT ERRNO-NAME"), then per item tries to open the item as a path
 * ("item PATH ok|ERRNO-NAME").  tests/run_sandbox.sh builds it with and
 * without --sandbox. */
#define _GNU_SOURCE 1 /* O_PATH, AT_EMPTY_PATH, F_SETSIG, prlimit */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe.h"

extern char **environ;

typedef struct Escape {
    PipeNode base;
    char secret[512], dir[512], tmp[512];
    int ctor_errno; /* of opening secret in the constructor */
    pid_t victim;   /* $PIPE_VICTIM, else 0 */
} Escape;

static const char *err_name(int e)
{
    switch (e) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    case ENOTTY: return "ENOTTY";
    default: return "other";
    }
}

static void say(PipeNode *self, const char *what, int e)
{
    char line[700];
    int n = snprintf(line, sizeof line, "%s %s", what, e ? err_name(e) : "ok");
    PipeStr s = {line, (size_t)n};
    pipe_emit(self, &s);
}

static void try_open(PipeNode *self, const char *what, const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, 0600);
    say(self, what, fd < 0 ? errno : 0);
    if (fd >= 0)
        close(fd);
}

/* Looking at a path: metadata of any file, which no layer must give. */
static void try_paths(PipeNode *self)
{
    struct stat st;
    char buf[256];
    say(self, "stat-passwd", stat("/etc/passwd", &st) == 0 ? 0 : errno);
    say(self, "fstatat-empty-path-flag", fstatat(AT_FDCWD, "/etc/passwd", &st, AT_EMPTY_PATH) == 0 ? 0 : errno);
    say(self, "access-passwd", access("/etc/passwd", F_OK) == 0 ? 0 : errno);
    say(self, "readlink-exe", readlink("/proc/self/exe", buf, sizeof buf) >= 0 ? 0 : errno);
    try_open(self, "open-o-path", "/etc/passwd", O_PATH);
    try_open(self, "open-mode-3", "/etc/passwd", O_RDWR | O_WRONLY);
    say(self, "fstat-stderr", fstat(2, &st) == 0 ? 0 : errno);
}

/* Reaching another process: its limits, a signal by SIGIO on stdin. */
static void try_victim(PipeNode *self, pid_t victim)
{
    struct rlimit one = {1, 1};
    say(self, "prlimit-other", prlimit(victim, RLIMIT_NOFILE, &one, NULL) == 0 ? 0 : errno);
    say(self, "f-setown", fcntl(0, F_SETOWN, victim) == 0 ? 0 : errno);
    say(self, "f-setsig", fcntl(0, F_SETSIG, SIGKILL) == 0 ? 0 : errno);
    int fl = fcntl(0, F_GETFL);
    say(self, "o-async", fl >= 0 && fcntl(0, F_SETFL, fl | O_ASYNC) == 0 ? 0 : errno);
    /* the first read may get what was written before; the second waits for
     * a write made after O_ASYNC was set, which makes the kernel signal */
    char buf[256];
    for (int i = 0; i < 2; i++)
        if (read(0, buf, sizeof buf) <= 0)
            break;
}

static void escape_open(PipeNode *self)
{
    Escape *x = (Escape *)self;
    char path[700];
    say(self, "ctor-open-secret", x->ctor_errno);
    try_open(self, "open-secret", x->secret, O_RDONLY);
    try_open(self, "open-passwd", "/etc/passwd", O_RDONLY);
    snprintf(path, sizeof path, "%s/created.txt", x->dir);
    try_open(self, "create", path, O_WRONLY | O_CREAT | O_TRUNC);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    say(self, "fork", pid < 0 ? errno : 0);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    char *argv[] = {"true", NULL};
    int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
    say(self, "spawn", rc);
    if (rc == 0)
        waitpid(pid, NULL, 0);
    int st = system("exit 7");
    say(self, "system", st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : errno ? errno : EPERM);
    /* a missing program: ENOENT when execve runs, EPERM when it is refused */
    char *none[] = {"none", NULL};
    execve("/nonexistent/program", none, environ);
    say(self, "execve", errno == ENOENT ? 0 : errno);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    say(self, "socket-inet", fd < 0 ? errno : 0);
    if (fd >= 0)
        close(fd);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    say(self, "socket-unix", fd < 0 ? errno : 0);
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/escape-tmp.txt", x->tmp);
    try_open(self, "create-in-tmpdir", path, O_WRONLY | O_CREAT | O_TRUNC);
    try_paths(self);
    say(self, "tiocsti", ioctl(0, TIOCSTI, "x") == 0 ? 0 : errno);
    if (x->victim > 0)
        try_victim(self, x->victim);
}

static void escape_push(PipeNode *self, const void *item, int port)
{
    const PipeStr *s = item;
    char path[600], what[700];
    snprintf(path, sizeof path, "%.*s", (int)(s->n < 500 ? s->n : 500), s->p);
    snprintf(what, sizeof what, "item %s", path);
    try_open(self, what, path, O_RDONLY);
}

PipeNode *pipe_extern_escape(PipeRt *rt, PipePos pos, PipeStr secret, PipeStr dir)
{
    Escape *x = (Escape *)pipe_node_new(rt, sizeof(Escape), "escape", pos);
    x->base.in = &pipe_t_str;
    x->base.out = &pipe_t_str;
    x->base.open = escape_open;
    x->base.push = escape_push;
    snprintf(x->secret, sizeof x->secret, "%.*s", (int)secret.n, secret.p);
    snprintf(x->dir, sizeof x->dir, "%.*s", (int)dir.n, dir.p);
    const char *tmp = getenv("TMPDIR"), *victim = getenv("PIPE_VICTIM");
    snprintf(x->tmp, sizeof x->tmp, "%s", tmp && *tmp ? tmp : "/tmp");
    x->victim = victim ? (pid_t)atoi(victim) : 0;
    int fd = open(x->secret, O_RDONLY | O_CLOEXEC);
    x->ctor_errno = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return &x->base;
}
