// SPDX-License-Identifier: ISC
// Example 3 of iv_examples(3), written for refloop: the accept server of example 2 plus an
// inactivity timer per connection. Each read pushes the connection's deadline to iv_now + the idle
// time (unregister, then register again: a timer's expiry must not change while it is registered);
// when the timer fires the server closes the connection. Usage: idle_server [N [IDLE_MS]]: serve
// N connections (default 1) on 127.0.0.1, an ephemeral port that is printed, idle time IDLE_MS
// (default 10000).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include <iv.h>

struct connection {
  struct iv_fd fd;
  struct iv_timer idle;
  unsigned long number;
};

static struct iv_fd listener;
static unsigned long accepted;
static unsigned long max_connections = 1;
static long idle_ms = 10000;

static void close_connection(struct connection *conn, const char *why)
{
  printf("connection %lu: %s\n", conn->number, why);
  fflush(stdout);
  if (iv_timer_registered(&conn->idle))
    iv_timer_unregister(&conn->idle);
  iv_fd_unregister(&conn->fd);
  close(conn->fd.fd);
  free(conn);
}

static void restart_idle_timer(struct connection *conn)
{
  if (iv_timer_registered(&conn->idle))
    iv_timer_unregister(&conn->idle);
  iv_validate_now();
  conn->idle.expires = iv_now;
  conn->idle.expires.tv_sec += idle_ms / 1000;
  conn->idle.expires.tv_nsec += (idle_ms % 1000) * 1000000L;
  if (conn->idle.expires.tv_nsec >= 1000000000L) {
    conn->idle.expires.tv_sec++;
    conn->idle.expires.tv_nsec -= 1000000000L;
  }
  iv_timer_register(&conn->idle);
}

static void connection_idle(void *cookie)
{
  close_connection(cookie, "idle, closed by the server");
}

static void connection_readable(void *cookie)
{
  struct connection *conn = cookie;
  char buf[1024];
  ssize_t n = read(conn->fd.fd, buf, sizeof(buf));

  if (n > 0) {
    restart_idle_timer(conn);
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  close_connection(conn, "closed by the client");
}

static void listener_readable(void *cookie)
{
  struct connection *conn;
  int fd = accept(listener.fd, NULL, NULL);

  (void)cookie;
  if (fd < 0)
    return;
  conn = calloc(1, sizeof(*conn));
  if (conn == NULL)
    iv_fatal("idle_server: out of memory");
  conn->number = ++accepted;
  IV_FD_INIT(&conn->fd);
  conn->fd.fd = fd;
  conn->fd.cookie = conn;
  conn->fd.handler_in = connection_readable;
  iv_fd_register(&conn->fd);
  IV_TIMER_INIT(&conn->idle);
  conn->idle.cookie = conn;
  conn->idle.handler = connection_idle;
  restart_idle_timer(conn);

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
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
    perror("idle_server");
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
  if (argc > 2)
    idle_ms = strtol(argv[2], NULL, 10);

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
