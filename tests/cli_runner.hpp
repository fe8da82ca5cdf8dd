#pragma once
// Runs the joulesim binary under test (JOULESIM_BINARY) from a test, as a user would.
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace joulesim_test {

struct CliRun {
  int status = -1;  ///< exit status; -1 if it did not exit normally or could not start
  std::string out;  ///< what it wrote to stdout (and stderr, with the default redirect)
};

/// `joulesim ARGS REDIRECT` through the shell; @p redirect "2>&1" (default) merges stderr into
/// out, "2>/dev/null" drops it, "2>FILE" keeps it apart.
inline CliRun run_joulesim(const std::string& args, const std::string& redirect = "2>&1") {
  CliRun r;
  const std::string cmd = std::string(JOULESIM_BINARY) + " " + args + " " + redirect;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace joulesim_test
