// SPDX-License-Identifier: ISC
// How a case's fatal errors reach the runner. Each case runs in a child process (isolation.cpp);
// the adapters install report_fatal as their implementation's fatal handler, which writes the
// message to the child's report pipe. The implementation must then abort the process (FATAL-001,
// IVAPI-020), which the parent observes from outside.
#pragma once

namespace refloop::conformance {

// The child's report pipe; -1 (the default, outside the runner's children) writes to stderr.
// `prefix` starts each line: "F " for the runner's children, "fatal " for an adapter serving the
// process protocol (spec/adapter.md, ADAPTER-009).
void set_fatal_report_fd(int fd, const char* prefix = "F ");
// A fatal handler: writes "<prefix><message>" as one line to the report pipe.
void report_fatal(const char* message);
// Whether report_fatal ran in this process (a handler that returned without an abort).
bool fatal_reported();
// In a coverage build (gcc --coverage), writes this process's counters now: a case's child ends
// with _exit or abort, which skip the usual dump at exit. Does nothing in other builds.
void flush_coverage();

}  // namespace refloop::conformance
