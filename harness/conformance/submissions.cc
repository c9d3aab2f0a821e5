// submissions.cc: finding the submission folders of a class and the programs in each.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "harness/conformance/class_grading.h"

namespace netref::conformance {
namespace {

std::string Trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The template for a program found under its lecture name: its arguments as the lecture's.
std::string LectureTemplate(Role role) {
  const std::string program = "./" + std::string(LectureName(role));
  if (role == Role::kTestClient || role == Role::kChatClient) return program + " {ip} {port}";
  if (role == Role::kLivesDemo || role == Role::kIgnoreDemo) return program;
  return program + " {port}";
}

}  // namespace

Programs ProgramsIn(const std::string& directory, std::string* problem) {
  Programs programs;
  std::ifstream manifest(directory + "/" + kManifestName);
  std::string line;
  for (int number = 1; manifest && std::getline(manifest, line); ++number) {
    line = Trimmed(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const std::size_t equals = line.find('=');
    const std::optional<Role> role =
        equals == std::string::npos ? std::nullopt : RoleNamed(Trimmed(line.substr(0, equals)));
    const std::string command = equals == std::string::npos ? "" : Trimmed(line.substr(equals + 1));
    if (!role || command.empty()) {
      *problem = std::string(kManifestName) + " line " + std::to_string(number) +
                 ": want `ROLE = TEMPLATE` with ROLE one of fork-server, iterative-server, "
                 "test-client, chat-server, chat-client, lives-demo, ignore-demo";
      return programs;
    }
    programs.Set(*role, command);
  }
  for (Role role : kAllRoles) {
    const std::string path = directory + "/" + std::string(LectureName(role));
    struct stat info {};
    if (!programs[role] && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        ::access(path.c_str(), X_OK) == 0) {
      programs.Set(role, LectureTemplate(role));
    }
  }
  if (!programs.Any() && problem->empty()) {
    *problem =
        "no program found (none under a lecture name, no " + std::string(kManifestName) + ")";
  }
  return programs;
}

std::optional<std::vector<Submission>> FindSubmissions(const std::string& dir, std::string* error) {
  DIR* folder = ::opendir(dir.c_str());
  if (folder == nullptr) {
    *error = "cannot read " + dir;
    return std::nullopt;
  }
  std::vector<Submission> submissions;
  while (dirent* entry = ::readdir(folder)) {
    const std::string name = entry->d_name;
    struct stat info {};
    const std::string path = dir + "/" + name;
    if (name.empty() || name[0] == '.' || ::stat(path.c_str(), &info) != 0 ||
        !S_ISDIR(info.st_mode)) {
      continue;
    }
    Submission submission{name, path, {}, ""};
    submission.programs = ProgramsIn(path, &submission.problem);
    submissions.push_back(std::move(submission));
  }
  ::closedir(folder);
  std::sort(submissions.begin(), submissions.end(),
            [](const Submission& a, const Submission& b) { return a.name < b.name; });
  if (submissions.empty()) *error = "no submission folder in " + dir;
  return submissions;
}

}  // namespace netref::conformance
