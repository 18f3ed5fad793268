// SPDX-License-Identifier: ISC
// Example 4 of iv_examples(3), written for refloop: a custom fatal message handler. Misuse of the
// API (here: registering an fd of -1) goes through iv_fatal, which formats a message naming the
// function and the cause and hands it to the handler set by iv_set_fatal_msg_handler. The handler
// below only prints it and returns; iv_fatal then aborts the process anyway.
#include <stdio.h>

#include <iv.h>

static void report_fatal(const char *msg)
{
  fprintf(stderr, "fatal_handler: ivykis says: %s\n", msg);
}

int main(void)
{
  struct iv_fd bad;

  iv_set_fatal_msg_handler(report_fatal);
  iv_init();

  IV_FD_INIT(&bad);
  bad.fd = -1;
  iv_fd_register(&bad); /* does not return */

  fprintf(stderr, "fatal_handler: iv_fd_register returned, which it must not\n");
  return 0;
}
