// SPDX-License-Identifier: ISC
// Example 1 of iv_examples(3), written for refloop: copy standard input to standard output from a
// read handler. fds are level-triggered (spec/loop.md), so the handler reads at most one small
// buffer per call and is simply called again while data remains; EAGAIN means "nothing after
// all", and end of file unregisters the fd, which leaves the loop empty so iv_main returns.
#include <stdio.h>
#include <string.h>

#include <iv.h>

static struct iv_fd stdin_fd;
static unsigned long handler_calls;
static unsigned long bytes_copied;

static void stdin_readable(void *cookie)
{
  struct iv_fd *fd = cookie;
  char buf[16]; /* small on purpose: a long input takes many calls */
  ssize_t n = read(fd->fd, buf, sizeof(buf));

  handler_calls++;
  if (n > 0) {
    fwrite(buf, 1, (size_t)n, stdout);
    bytes_copied += (unsigned long)n;
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n < 0)
    perror("stdin_reader: read");
  iv_fd_unregister(fd);
}

int main(void)
{
  iv_init();

  IV_FD_INIT(&stdin_fd);
  stdin_fd.fd = 0;
  stdin_fd.cookie = &stdin_fd;
  stdin_fd.handler_in = stdin_readable;
  iv_fd_register(&stdin_fd);

  iv_main();

  iv_deinit();
  fflush(stdout);
  fprintf(stderr, "stdin_reader: %lu bytes in %lu handler calls (method %s)\n",
    bytes_copied, handler_calls, iv_poll_method_name());
  return 0;
}
