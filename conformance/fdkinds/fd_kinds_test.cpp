// SPDX-License-Identifier: ISC
// The fd-kind matrix (spec/loop.md, FD-016..FD-019): every kind of fd_kinds.cpp on every compiled
// backend, each cell checked against what the backend's traits require (expected.cpp), never
// against its name. With REFLOOP_FD_KINDS_MARKDOWN=FILE set, the observed matrix is written there
// as markdown (ctest conformance.fd_kinds writes fd-kinds.md at the top of its build tree).
#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <ostream>
#include <set>

#include <gtest/gtest.h>

#include "expected.hpp"
#include "fd_kinds.hpp"
#include "probe.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop::fdkinds {

void PrintTo(const Outcome& outcome, std::ostream* out) { *out << outcome.text(); }

namespace {

struct Cell {
  Outcome observed, expected;
  std::string note;  // FD-019: why an emulated column's cell may not be the native answer
};

// The cells observed in this process, written as markdown when the tests are done.
class Matrix : public ::testing::Environment {
 public:
  void record(const Kind& kind, const std::string& backend, Cell cell) { cells_[{kind.name, backend}] = std::move(cell); }
  void TearDown() override {
    if (const char* path = std::getenv("REFLOOP_FD_KINDS_MARKDOWN"); path != nullptr && *path != 0 && !cells_.empty()) {
      std::ofstream out(path);
      write(out);
      std::printf("fd-kind matrix written to %s\n", path);
    }
  }

 private:
  std::vector<std::string> columns() const;
  void write(std::ostream& out) const;
  std::string cell_text(const Cell& cell, std::vector<std::string>& notes) const;
  std::map<std::pair<std::string, std::string>, Cell> cells_;
};

Matrix& matrix() {
  static Matrix* const instance = static_cast<Matrix*>(::testing::AddGlobalTestEnvironment(new Matrix));
  return *instance;
}
[[maybe_unused]] const Matrix& registered_early = matrix();  // before RUN_ALL_TESTS, so TearDown runs

std::vector<std::string> Matrix::columns() const {
  std::vector<std::string> names;
  for (auto name : compiled_backends())
    for (const auto& [key, cell] : cells_)
      if (key.second == name) { names.emplace_back(name); break; }
  return names;
}

std::string Matrix::cell_text(const Cell& cell, std::vector<std::string>& notes) const {
  std::string text = cell.observed.text();
  if (!(cell.observed == cell.expected)) text = "**MISMATCH** " + text + " (the traits require: " + cell.expected.text() + ")";
  if (cell.note.empty()) return text;
  std::size_t index = 0;
  while (index < notes.size() && notes[index] != cell.note) ++index;
  if (index == notes.size()) notes.push_back(cell.note);
  return text + " [" + std::to_string(index + 1) + "]";
}

std::string kernel_release() {
  utsname name{};
  return ::uname(&name) == 0 ? std::string(name.sysname) + " " + name.release : "this kernel";
}

// The traits the expectations follow, one row per column of the matrix.
void write_traits(std::ostream& out, const std::vector<std::string>& names) {
  out << "\n\nThe traits these expectations follow (refloop/loop/backend_traits.hpp):\n\n"
      << "| backend | interest call | regular_file | end_of_input_is_hangup | emulated |\n| --- | --- | --- | --- | --- |\n";
  for (const auto& name : names) {
    const BackendTraits& traits = *backend_traits(name);
    static const char* const regular[] = {"refused", "always_ready", "read_until_eof"};
    out << "| " << name << " | " << (traits.interest_call.empty() ? "(none)" : std::string(traits.interest_call)) << " | "
        << regular[static_cast<int>(traits.regular_file)] << " | " << (traits.end_of_input_is_hangup ? "yes" : "no")
        << " | " << (traits.emulated ? "yes" : "no") << " |\n";
  }
}

void Matrix::write(std::ostream& out) const {
  const auto names = columns();
  out << "# The fd-kind matrix (spec/loop.md, FD-016..FD-019)\n\n"
      << "Each fd is registered with in, out and err handlers through refloop's C++ loop API: `register_fd_try`, then one\n"
      << "`run_once(nowait)` at once and after each step; and, on a fresh fd, `register_fd` and one poll. A cell lists the\n"
      << "bands whose handlers ran after each step (`-`: none), or the errno of a refusal and what `register_fd` did.\n"
      << "Observed on " << kernel_release() << " by ctest `conformance.fd_kinds`; a cell that is not what the\n"
      << "backend's traits require says **MISMATCH**. Columns ending in `~emu` run on the user-space emulators of\n"
      << "model/os, whose readiness comes from Linux's poll(2): they are not native results; a numbered note marks a\n"
      << "cell the native interface may answer differently (FD-019).\n\n| fd kind | steps |";
  for (const auto& name : names) out << " " << name << " |";
  out << "\n| --- | --- |";
  for (std::size_t i = 0; i < names.size(); ++i) out << " --- |";
  std::vector<std::string> notes;
  for (const Kind& kind : kinds()) {
    std::string steps;
    for (const Step& step : kind.steps) steps += (steps.empty() ? "" : " → ") + step.label;
    out << "\n| " << kind.name << " | " << steps << " |";
    for (const auto& name : names) {
      const auto found = cells_.find({kind.name, name});
      out << " " << (found == cells_.end() ? std::string("(not run)") : cell_text(found->second, notes)) << " |";
    }
  }
  write_traits(out, names);
  if (!notes.empty()) out << "\nNotes:\n\n";
  for (std::size_t i = 0; i < notes.size(); ++i) out << i + 1 << ". " << notes[i] << "\n";
}

std::vector<std::string> backends() {
  std::vector<std::string> names;
  for (auto name : compiled_backends()) names.emplace_back(name);
  return names;
}

class FdKinds : public ::testing::TestWithParam<std::string> {};

TEST_P(FdKinds, FD_012_every_kind_does_what_the_traits_say) {
  // [req:FD-016] [req:FD-017] [req:FD-018] [req:FD-019] [req:BACKEND-008] [req:OS-113] [req:OS-114]
  // [req:OS-125]
  const std::string backend = GetParam();
  const BackendTraits* traits = backend_traits(backend);
  ASSERT_NE(traits, nullptr);
  for (const Kind& kind : kinds()) {
    Cell cell{observe(kind, backend), expected_outcome(kind, *traits), emulated_difference(kind, *traits)};
    EXPECT_EQ(cell.observed, cell.expected) << kind.name << " on " << backend;
    matrix().record(kind, backend, std::move(cell));
  }
}

INSTANTIATE_TEST_SUITE_P(EveryBackend, FdKinds, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return backend_identifier(param_info.param);  // a test name is an identifier
                         });

}  // namespace
}  // namespace refloop::fdkinds
