#pragma once
// Exception types for failures a user can act on. Each message says what was wrong,
// where (file, line, field, rank) and what to do; callers add context as the error
// travels up rather than logging and rethrowing.

#include <stdexcept>
#include <string>

namespace snipe {

// Base of every snipe error; `what()` is the full, user-facing message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A config file or command-line value is missing, malformed or out of range.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// Input data (CSV, HDF5, JSON) does not have the expected shape or content.
class DataError : public Error {
 public:
  using Error::Error;
};

// The operating system refused a file operation.
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace snipe
