/*
 * The native backend's copy loop in C, compiled at run time by bun:ffi's `cc` (TinyCC, built into
 * Bun) and called from the copy Worker (./copy-worker.ts). It is the worker's JS loop, step for
 * step: poll the PTY master (and the local stdin), read the master into the batch until it is
 * empty, write that to the local stdout with blocking writes, copy stdin to the master. It returns
 * to JS only when a batch must be handed to the JS thread, when the JS thread has not taken the
 * last one and the batch is full, on stop, on EOF and on error.
 *
 * No #include: the few libc declarations are written out (Linux x86-64 / arm64, glibc or musl), so
 * it compiles where no C headers are installed; the symbols resolve in the running Bun process.
 */

typedef unsigned long size_t;
typedef long ssize_t;
struct pollfd {
  int fd;
  short events;
  short revents;
};
struct timespec {
  long tv_sec;
  long tv_nsec;
};
extern ssize_t read(int fd, void *buf, size_t n);
extern ssize_t write(int fd, const void *buf, size_t n);
extern int poll(struct pollfd *fds, unsigned long nfds, int timeout);
extern int clock_gettime(int clock, struct timespec *ts);
extern int *__errno_location(void);

#define POLLIN 0x1
#define POLLOUT 0x4
#define POLLERR 0x8
#define POLLHUP 0x10
#define POLLNVAL 0x20
#define EINTR 4
#define EAGAIN 11
#define CLOCK_MONOTONIC 1

/* The control words shared with the JS thread (CTL in ./copy-protocol.ts). */
#define CTL_IN_FLIGHT 0
#define CTL_STOP 1
#define CTL_READS 2

/* What cl_run returns (CL in ./copy-protocol.ts). */
#define CL_POST 1    /* st->len bytes of the batch go to the JS thread; call again after */
#define CL_WAIT 2    /* the batch is full and the JS thread has not taken the last one */
#define CL_EOF 3     /* the PTY ended; st->len bytes (maybe 0) are the last */
#define CL_STOPPED 4 /* the JS thread asked to stop; st->len bytes (maybe 0) are the last */
#define CL_ERROR 5   /* poll failed; st->err is errno */

#define POLL_MS 50
#define COALESCE (64 * 1024)
#define QUIET_NS 5000000L
#define PTY_READ_MAX 4095

/* The loop's state between calls (a 64-byte block the worker allocates once). */
struct state {
  int master, stdin_fd, stdout_fd, eof_on_stdin_end;
  int post;   /* whether the JS thread wants the output at all */
  int len;    /* bytes gathered in the batch, not yet handed over */
  int cap;    /* the batch's size */
  int in_cap; /* the stdin buffer's size */
  int pend_off, pend_len; /* stdin bytes the master did not take yet, in the stdin buffer */
  int idle;   /* the last poll timed out */
  int err;
  long last_post; /* monotonic ns */
};

static long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int ld(volatile int *ctl, int i) { return ctl[i]; }

/* Writes all of buf to an fd, blocking or not; 0 once the fd is gone (EPIPE, EIO, ...). */
static int write_all(int fd, const unsigned char *buf, long n) {
  long off = 0;
  while (off < n) {
    ssize_t w = write(fd, buf + off, n - off);
    if (w > 0) off += w;
    else if (w < 0) {
      int e = *__errno_location();
      if (e == EINTR) continue;
      if (e != EAGAIN) return 0;
      struct pollfd p;
      p.fd = fd;
      p.events = POLLOUT;
      p.revents = 0;
      poll(&p, 1, -1);
    }
  }
  return 1;
}

/* Writes what the master takes now of the pending stdin bytes. */
static void feed(struct state *st, unsigned char *in) {
  while (st->pend_len > 0) {
    ssize_t w = write(st->master, in + st->pend_off, st->pend_len);
    if (w > 0) {
      st->pend_off += w;
      st->pend_len -= w;
    } else if (w < 0 && *__errno_location() == EINTR) continue;
    else break;
  }
}

/* Whether the batch goes to the JS thread now (see the worker's JS loop for the reasons). */
static int ready(struct state *st, volatile int *ctl) {
  if (!st->len || ld(ctl, CTL_IN_FLIGHT) != 0) return 0;
  if (!st->post) {
    st->len = 0;
    return 0;
  }
  long now = now_ns();
  if (!st->idle && st->len < COALESCE && now - st->last_post < QUIET_NS) return 0;
  st->last_post = now;
  return 1;
}

int cl_run(struct state *st, volatile int *ctl, unsigned char *batch, unsigned char *in) {
  struct pollfd fds[2];
  while (ld(ctl, CTL_STOP) == 0) {
    if (ready(st, ctl)) return CL_POST;
    if (st->len == st->cap) return CL_WAIT;
    int pending = st->pend_len > 0;
    fds[0].fd = st->master;
    fds[0].events = POLLIN | (pending ? POLLOUT : 0);
    fds[0].revents = 0;
    fds[1].fd = st->stdin_fd;
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    int nfds = st->stdin_fd >= 0 && !pending ? 2 : 1;
    int r = poll(fds, nfds, st->len ? 1 : POLL_MS); /* a batch waiting: look again soon whether the JS thread took the last */
    if (r < 0) {
      int e = *__errno_location();
      if (e == EINTR) continue;
      st->err = e;
      return CL_ERROR;
    }
    st->idle = r == 0;
    if (r == 0) continue;

    short mrev = fds[0].revents;
    if (mrev & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      int from = st->len;
      int eof = 0;
      while (st->len < st->cap) {
        ssize_t n = read(st->master, batch + st->len, st->cap - st->len);
        if (n > 0) {
          st->len += n;
          ctl[CTL_READS]++; /* only this thread writes it */
          if (n < PTY_READ_MAX) break; /* less than one full read: the master is empty */
        } else if (n < 0 && *__errno_location() == EINTR) continue;
        else {
          /* EAGAIN: drained for now; EIO (every slave closed) or 0: the end */
          eof = n == 0 || *__errno_location() != EAGAIN;
          break;
        }
      }
      if (st->len > from && st->stdout_fd >= 0 && !write_all(st->stdout_fd, batch + from, st->len - from))
        st->stdout_fd = -1; /* the local side went away; the link still gets it */
      if (eof) {
        if (!st->post) st->len = 0;
        return CL_EOF;
      }
    }

    if (pending && (mrev & POLLOUT)) feed(st, in);
    if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(st->stdin_fd, in, st->in_cap);
      if (n > 0) {
        /* a keystroke goes straight from the stdin buffer into the master; a rest waits there */
        st->pend_off = 0;
        st->pend_len = n;
        feed(st, in);
      } else if (n == 0 || (*__errno_location() != EINTR && *__errno_location() != EAGAIN)) {
        /* stdin ended: a pipe's end is the child's end of input (^D), as the JS backends do */
        if (st->eof_on_stdin_end) {
          in[0] = 4;
          st->pend_off = 0;
          st->pend_len = 1;
          feed(st, in);
        }
        st->stdin_fd = -1;
      }
    }
  }
  if (!st->post) st->len = 0;
  return CL_STOPPED;
}
