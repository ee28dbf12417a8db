/* stop.c — stopping a run from outside: SIGINT and SIGTERM end it after
 * flushing what was processed (exit 130, 143); --timeout is a runtime error.
 * Signal dispositions belong to the process, not to a run: runs that go on at
 * once on several threads share them (see pipe_stop_install). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "rt_impl.h"

/* Seconds that a stop may take: a stage stuck in a loop never returns to the
 * scheduler, so after this the process ends without flushing. */
#define STOP_GRACE 5
/* Milliseconds in which the same signal again is the same request: timeout(1)
 * and others send a signal to the process and then to its group. */
#define STOP_SAME_MS 200
/* Descriptors of idle hooks watched while a source waits for input. */
#define STOP_IDLE_FDS 8

volatile sig_atomic_t pipe_rt_stop;
static volatile sig_atomic_t stop_ticks; /* SIGALRMs since the stop was asked */
static struct timespec stop_asked;       /* when */
static int stop_pipe[2] = {-1, -1};      /* a handler writes a byte: poll() wakes */
static bool stop_on;
static uint64_t stop_timeout_ms;
static char stop_late_msg[160];          /* the watchdog's message, made beforehand */
static size_t stop_late_len;
static struct sigaction old_int, old_term, old_alrm;
/* The runs between pipe_stop_install and pipe_stop_remove, and those inside
 * pipe_run (which ignores SIGPIPE), in this process; under proc_lock, as are
 * the dispositions and the statics above outside a handler. */
static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;
static int stop_users, sigpipe_users;
static struct sigaction old_pipe;

/* The text of a duration in milliseconds, in the largest unit that divides it. */
void pipe_duration_text(uint64_t ms, char *buf, size_t size)
{
    if (ms % 3600000 == 0)
        snprintf(buf, size, "%lluh", (unsigned long long)(ms / 3600000));
    else if (ms % 60000 == 0)
        snprintf(buf, size, "%llum", (unsigned long long)(ms / 60000));
    else if (ms % 1000 == 0)
        snprintf(buf, size, "%llus", (unsigned long long)(ms / 1000));
    else
        snprintf(buf, size, "%llums", (unsigned long long)ms);
}

/* Ends the process now as the signal sig would (after the handler returns). */
static void die_by(int sig)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig); /* blocked while the handler runs: delivered when it returns */
}

/* Milliseconds since the stop was asked. */
static long since_asked(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - stop_asked.tv_sec) * 1000 + (now.tv_nsec - stop_asked.tv_nsec) / 1000000;
}

/* Only async-signal-safe calls here (write, alarm, clock_gettime, sigaction,
 * raise, _exit).  The first signal asks the run to stop and starts a watchdog
 * ticking each second (alarm); SIGINT or SIGTERM again (later than
 * STOP_SAME_MS), or STOP_GRACE ticks without the run stopping, end the
 * process at once, without flushing. */
static void on_stop(int sig)
{
    int saved = errno;
    if (!pipe_rt_stop) {
        pipe_rt_stop = sig;
        clock_gettime(CLOCK_MONOTONIC, &stop_asked);
        alarm(1);
    } else if (sig != SIGALRM) {
        if (since_asked() > STOP_SAME_MS)
            die_by(sig); /* the user insists */
    } else if (++stop_ticks < STOP_GRACE) {
        alarm(1);
    } else if (pipe_rt_stop == SIGALRM) {
        ssize_t w = write(2, stop_late_msg, stop_late_len);
        (void)w;
        _exit(1);
    } else {
        die_by(pipe_rt_stop);
    }
    if (stop_pipe[1] >= 0) {
        ssize_t w = write(stop_pipe[1], "x", 1);
        (void)w;
    }
    errno = saved;
}

/* Handles sig with sa, keeping the old disposition in old, unless sig was
 * ignored: a command started in the background by a shell without job
 * control (`pipec run x &` in a script) ignores SIGINT, and keeps to that. */
static void catch(int sig, const struct sigaction *sa, struct sigaction *old)
{
    sigaction(sig, NULL, old);
    if (old->sa_handler != SIG_IGN)
        sigaction(sig, sa, NULL);
}

static void stop_start(uint64_t timeout_ms);
static void stop_end(void);

/* Installs the handlers and starts the --timeout timer; see rt_impl.h.  The
 * first of runs at once installs, the last one's pipe_stop_remove removes:
 * a signal stops every one of them, and the timer is the first one's. */
void pipe_stop_install(uint64_t timeout_ms)
{
    pthread_mutex_lock(&proc_lock);
    if (stop_users++ == 0)
        stop_start(timeout_ms);
    pthread_mutex_unlock(&proc_lock);
}

/* pipe_stop_install for the first run (under proc_lock). */
static void stop_start(uint64_t timeout_ms)
{
    pipe_rt_stop = 0;
    stop_ticks = 0;
    stop_timeout_ms = timeout_ms;
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        stop_pipe[0] = stop_pipe[1] = -1; /* then a stop waits for input or EOF */
    char d[32];
    pipe_duration_text(timeout_ms, d, sizeof d);
    int n = snprintf(stop_late_msg, sizeof stop_late_msg,
                     "pipec: runtime error: timed out after %s, and a stage did not stop within %d s more "
                     "(output not flushed)\n", d, STOP_GRACE);
    stop_late_len = n > 0 && (size_t)n < sizeof stop_late_msg ? (size_t)n : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGALRM);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read or open returns EINTR */
    catch(SIGINT, &sa, &old_int);
    catch(SIGTERM, &sa, &old_term);
    sigaction(SIGALRM, &sa, &old_alrm);
    stop_on = true;
    if (timeout_ms) {
        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = (time_t)(timeout_ms / 1000);
        it.it_value.tv_usec = (suseconds_t)(timeout_ms % 1000 * 1000);
        setitimer(ITIMER_REAL, &it, NULL);
    }
}

/* Stops the timer and restores the dispositions that were there before, at
 * the end of the last run that installed them. */
void pipe_stop_remove(void)
{
    pthread_mutex_lock(&proc_lock);
    if (stop_users > 0 && --stop_users == 0)
        stop_end();
    pthread_mutex_unlock(&proc_lock);
}

/* pipe_stop_remove for the last run (under proc_lock). */
static void stop_end(void)
{
    if (!stop_on)
        return;
    struct itimerval off;
    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGALRM, &old_alrm, NULL);
    for (int i = 0; i < 2; i++) {
        if (stop_pipe[i] >= 0)
            close(stop_pipe[i]);
        stop_pipe[i] = -1;
    }
    stop_on = false;
    pipe_rt_stop = 0;
    stop_ticks = 0;
}

/* Ignores SIGPIPE (a write to a closed pipe is the EPIPE of the sink that
 * wrote) while any run of the process is in pipe_run. */
void pipe_sigpipe_hold(void)
{
    pthread_mutex_lock(&proc_lock);
    if (sigpipe_users++ == 0) {
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &old_pipe);
    }
    pthread_mutex_unlock(&proc_lock);
}

/* Restores SIGPIPE's disposition once the last run leaves pipe_run. */
void pipe_sigpipe_release(void)
{
    pthread_mutex_lock(&proc_lock);
    if (sigpipe_users > 0 && --sigpipe_users == 0)
        sigaction(SIGPIPE, &old_pipe, NULL);
    pthread_mutex_unlock(&proc_lock);
}

/* Acts on pipe_rt_stop (see rt_impl.h). */
void pipe_stop_now(PipeRt *rt)
{
    int sig = pipe_rt_stop;
    if (sig == SIGALRM) {
        char d[32], msg[64];
        pipe_duration_text(stop_timeout_ms, d, sizeof d);
        snprintf(msg, sizeof msg, "timed out after %s", d);
        pipe_rt_fail(rt, msg);
    }
    pipe_rt_abort(rt, NULL, RT_JMP_SIGNAL + sig);
}

int pipe_stop_fd(void)
{
    return stop_pipe[0];
}

/* Waits for input on fd or a stop (see rt_impl.h). */
void pipe_stop_wait_input(PipeRt *rt, int fd)
{
    if (pipe_rt_stop)
        pipe_stop_now(rt);
    if (stop_pipe[0] < 0)
        return;
    for (;;) {
        struct pollfd p[2 + STOP_IDLE_FDS] = {{.fd = fd, .events = POLLIN}, {.fd = stop_pipe[0], .events = POLLIN}};
        nfds_t n = 2;
        for (RtIdle *i = rt->idle; i && n < 2 + STOP_IDLE_FDS; i = i->next) {
            int f = i->fd && !hdr(i->node)->ended ? i->fd(i->node) : -1;
            if (f >= 0)
                p[n++] = (struct pollfd){.fd = f, .events = POLLIN};
        }
        while (poll(p, n, -1) < 0 && errno == EINTR && !pipe_rt_stop)
            ;
        if (pipe_rt_stop)
            pipe_stop_now(rt);
        if (p[0].revents || n == 2)
            return;
        pipe_rt_idle(rt); /* a program behind exec printed something: show it */
        pipe_out_flush_all(rt);
    }
}
