#pragma once
/// @file
/// The error types joulesim throws. Every user-facing failure is one of these, caught in main and
/// printed to stderr with a non-zero exit; nothing is reported by crashing.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace joulesim {

/// Base of all joulesim errors; the message is complete and ready to print.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Malformed input at a known place: the message reads "file:line: what was expected".
class InputError : public Error {
 public:
  InputError(const std::string& file, uint64_t line, const std::string& what)
      : Error(file + ":" + std::to_string(line) + ": " + what), file_(file), line_(line) {}
  const std::string& file() const { return file_; }
  uint64_t line() const { return line_; }

 private:
  std::string file_;
  uint64_t line_;
};

/// A bad configuration value: the message names the file, the key path and what is allowed.
class ConfigError : public Error {
 public:
  using Error::Error;
};

}  // namespace joulesim
