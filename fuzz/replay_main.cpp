// SPDX-License-Identifier: ISC
// Replays a fuzz target's corpus without libFuzzer, so every corpus runs as an ordinary ctest
// case (label fuzz-replay). Arguments are files or folders; folders are read one level deep,
// in name order so a failure names the same file every time. An empty corpus is an error: a
// replay that runs nothing would pass without checking anything.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

std::vector<std::filesystem::path> corpus_files(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> here;
      for (const auto& entry : std::filesystem::directory_iterator(arg))
        if (entry.is_regular_file()) here.push_back(entry.path());
      std::sort(here.begin(), here.end());
      files.insert(files.end(), here.begin(), here.end());
    } else {
      files.push_back(arg);
    }
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  const auto files = corpus_files(argc, argv);
  if (files.empty()) {
    std::fprintf(stderr, "replay: no corpus files given or found\n");
    return 2;
  }
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
      return 2;
    }
    // Copy into an exactly sized heap buffer so ASan catches any read past the input.
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
    auto* exact = new std::uint8_t[input.size() ? input.size() : 1];
    std::copy(input.begin(), input.end(), exact);
    LLVMFuzzerTestOneInput(exact, input.size());
    delete[] exact;
  }
  std::printf("replay: %zu corpus files ran clean\n", files.size());
  return 0;
}
