// EnvLookup: how configuration reads an environment variable ("env:NAME"
// values), passed in so that tests give a fake environment instead of the
// process's.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace gw {

// Looks an environment variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

}  // namespace gw
