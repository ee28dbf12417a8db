/* escape.c — an extern proc that tries, in its constructor and its open hook,
 * to reach beyond the script's data: read an undeclared file and /etc/passwd, create a file, fork,
 * spawn and exec a program, run system(), open sockets.  It emits a line per
 * attempt ("WHAT ok" or "WHAT ERRNO-NAME"), then per item tries to open the
 * item as a path ("item PATH ok|ERRNO-NAME").  tests/run_sandbox.sh builds it
 * with and without --sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe.h"

extern char **environ;

typedef struct Escape {
    PipeNode base;
    char secret[512], dir[512];
    int ctor_errno; /* of opening secret in the constructor */
} Escape;

static const char *err_name(int e)
{
    switch (e) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
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
    int fd = open(x->secret, O_RDONLY | O_CLOEXEC);
    x->ctor_errno = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return &x->base;
}
