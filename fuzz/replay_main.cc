// replay_main.cc: a main for fuzz targets built without libFuzzer (any compiler, e.g. gcc).
//
// Runs LLVMFuzzerTestOneInput once over every file named on the command line, and over every
// regular file under each directory named (sorted, so runs are repeatable). A broken invariant
// aborts, so ctest sees the crash: a fuzz finding, once fixed and checked in to the corpus,
// stays fixed. Arguments starting with '-' are ignored, so libFuzzer flags do no harm.
// Exits 1 if it ran no input at all: a replay that replays nothing cannot fail. Without a file
// or directory it prints its usage and exits 2.
// Must not: be linked into a libFuzzer build (libFuzzer brings its own main).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void RunOne(const std::filesystem::path& path) {
  // Exactly the file's bytes in their own allocation, so ASan (when present) sees any read past
  // the end. (fread, not istreambuf_iterator: gcc 12's -Wnull-dereference trips on the latter.)
  std::vector<std::uint8_t> bytes(std::filesystem::file_size(path));
  std::FILE* file = std::fopen(path.c_str(), "rb");
  const std::size_t got = file ? std::fread(bytes.data(), 1, bytes.size(), file) : 0;
  if (file) std::fclose(file);
  if (got != bytes.size()) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
}

}  // namespace

int Usage(const char* argv0) {
  std::fprintf(stderr,
               "Usage: %s FILE_OR_DIR...\n"
               "Runs this fuzz target once over each FILE and over every file under each DIR\n"
               "(sorted), as a libFuzzer binary would replay them: a broken invariant aborts.\n"
               "Arguments that start with '-' (libFuzzer flags) are ignored.\n"
               "Exit status: 0 every input ran, 1 an input is missing or no input ran, 2 usage;\n"
               "a broken invariant ends it by SIGABRT.\n",
               argv0);
  return 2;
}

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  bool any_path = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-help=1") {
      Usage(argv[0]);
      return 0;
    }
    if (argv[i][0] != '-') any_path = true;
  }
  if (!any_path) return Usage(argc > 0 ? argv[0] : "replay");
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (argv[i][0] == '-') continue;
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (std::filesystem::exists(arg)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      return 1;
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::fprintf(stderr, "replay: %s\n", file.c_str());
    RunOne(file);
  }
  std::printf("replay: %zu inputs ran, no invariant broken\n", files.size());
  return files.empty() ? 1 : 0;
}
