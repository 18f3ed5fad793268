// SPDX-License-Identifier: ISC
// The set of emulators as kernel tables (emulators.hpp; spec/os.md OS-001, OS-003): its fd
// table passes fcntl and getrlimit through to the table beneath, and a close made through it
// reaches every emulator before the descriptor goes.
#include "os/emulators.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "os/test_pipe.hpp"

namespace refloop::os {
namespace {

TEST(Emulators, OS_001_the_fd_table_passes_through_and_every_emulator_hears_a_close) {
  // [req:OS-001] [req:OS-003] [req:OS-209] [req:OS-301]
  Emulators emulators{kernel::native_syscalls()};
  const kernel::SysCalls sys = emulators.table();
  ASSERT_EQ(sys.fd, static_cast<kernel::FdCalls*>(&emulators));
  EXPECT_TRUE(sys.kqueue->emulated() && sys.devpoll->emulated() && sys.port->emulated());
  rlimit through{}, direct{};
  ASSERT_EQ(sys.fd->getrlimit(RLIMIT_NOFILE, &through), 0);
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &direct), 0);
  EXPECT_EQ(through.rlim_cur, direct.rlim_cur);
  test::Pipe pipe;
  EXPECT_GE(sys.fd->fcntl(pipe.read_end, F_GETFD, 0), 0);
  const int set = sys.devpoll->open("/dev/poll", O_RDWR);
  const int port = sys.port->port_create();
  ASSERT_GE(set, 0);
  ASSERT_GE(port, 0);
  EXPECT_EQ(sys.fd->close(set), 0);
  EXPECT_EQ(sys.fd->close(port), 0);
  EXPECT_EQ(emulators.devpoll().open_sets(), 0u);
  EXPECT_EQ(sys.port->port_associate(port, kernel::port_source_fd,
                                     static_cast<std::uintptr_t>(pipe.read_end), POLLIN, nullptr),
            -1);
  EXPECT_LT(sys.fd->fcntl(set, F_GETFD, 0), 0);  // and the descriptors are gone
}

}  // namespace
}  // namespace refloop::os
