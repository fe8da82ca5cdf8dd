#pragma once
/// @file
/// Where joulesim finds its data (configs/, models/, traces/): $JOULESIM_HOME if set, else the
/// source tree it was built from.
#include <filesystem>
#include <string>

namespace joulesim {

/// Root folder holding configs/, models/ and traces/.
std::filesystem::path data_root();

/// Writes @p contents to @p path atomically: a temporary file in the same folder, then rename.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);

}  // namespace joulesim
