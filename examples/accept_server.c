// SPDX-License-Identifier: ISC
// Example 2 of iv_examples(3), written for refloop: a TCP server that accepts connections and
// reads (and discards) what each one sends. A connection's handler unregisters, closes and frees
// its own connection at end of stream, from inside the callback. Usage: accept_server [N]: listen
// on 127.0.0.1, port chosen by the kernel and printed; after N connections (default 1) stop
// listening, so once the last connection ends nothing is registered and iv_main returns.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include <iv.h>

struct connection {
  struct iv_fd fd;
  unsigned long number;
  unsigned long bytes;
};

static struct iv_fd listener;
static unsigned long accepted;
static unsigned long max_connections = 1;

static void connection_readable(void *cookie)
{
  struct connection *conn = cookie;
  char buf[1024];
  ssize_t n = read(conn->fd.fd, buf, sizeof(buf));

  if (n > 0) {
    conn->bytes += (unsigned long)n;
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  printf("connection %lu: closed after %lu bytes\n", conn->number, conn->bytes);
  fflush(stdout);
  iv_fd_unregister(&conn->fd); /* before close: the fd must still be open */
  close(conn->fd.fd);
  free(conn);
}

static void listener_readable(void *cookie)
{
  struct connection *conn;
  int fd = accept(listener.fd, NULL, NULL);

  (void)cookie;
  if (fd < 0)
    return; /* EAGAIN, or the client gave up: level-triggered, so just wait */
  conn = calloc(1, sizeof(*conn));
  if (conn == NULL)
    iv_fatal("accept_server: out of memory");
  conn->number = ++accepted;
  IV_FD_INIT(&conn->fd);
  conn->fd.fd = fd;
  conn->fd.cookie = conn;
  conn->fd.handler_in = connection_readable;
  iv_fd_register(&conn->fd);

  if (accepted == max_connections) {
    iv_fd_unregister(&listener);
    close(listener.fd);
  }
}

static int listen_on_loopback(void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof(addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
    perror("accept_server");
    exit(1);
  }
  printf("listening on 127.0.0.1 port %u\n", (unsigned)ntohs(addr.sin_port));
  fflush(stdout);
  return fd;
}

int main(int argc, char **argv)
{
  if (argc > 1)
    max_connections = strtoul(argv[1], NULL, 10);

  iv_init();

  IV_FD_INIT(&listener);
  listener.fd = listen_on_loopback();
  listener.handler_in = listener_readable;
  iv_fd_register(&listener);

  iv_main();

  iv_deinit();
  printf("served %lu connections (method %s)\n", accepted, iv_poll_method_name());
  return 0;
}
