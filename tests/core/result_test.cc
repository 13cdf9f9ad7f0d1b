#include "gateway/core/result.h"

#include <catch2/catch.hpp>
#include <string>

using gw::Error;
using gw::ErrorCode;
using gw::Result;
using gw::Status;

namespace {
Result<int> parse_positive(int x) {
  if (x <= 0) return Error::invalid("must be positive, got " + std::to_string(x));
  return x;
}
Status check_even(int x) {
  if (x % 2) return Error::invalid("odd");
  return {};
}
}  // namespace

TEST_CASE("Result carries either a value or an error", "[core][result]") {
  auto good = parse_positive(3);
  REQUIRE(good.ok());
  CHECK(*good == 3);

  auto bad = parse_positive(-1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
  CHECK(bad.error().to_string() == "invalid_argument: must be positive, got -1");
  CHECK(bad.value_or(7) == 7);
}

TEST_CASE("Status is ok by default and carries an error otherwise", "[core][result]") {
  CHECK(check_even(2).ok());
  auto s = check_even(3);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "odd");
}
