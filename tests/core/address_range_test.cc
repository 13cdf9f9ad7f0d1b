#include "gateway/core/address_range.h"

#include <catch2/catch.hpp>

TEST_CASE("address ranges match IPv4, IPv6 and IPv4-mapped clients by prefix", "[core][address]") {
  using gw::AddressRange;
  auto net = AddressRange::parse("10.0.0.0/8");
  REQUIRE(net.ok());
  CHECK(net->contains("10.1.2.3"));
  CHECK(net->contains("::ffff:10.1.2.3"));
  CHECK_FALSE(net->contains("11.0.0.1"));
  CHECK_FALSE(net->contains("not an address"));
  auto one = AddressRange::parse("::1");
  REQUIRE(one.ok());
  CHECK(one->contains("::1"));
  CHECK_FALSE(one->contains("::2"));
  auto v6 = AddressRange::parse("fd00::/8");
  REQUIRE(v6.ok());
  CHECK(v6->contains("fd12:3456::1"));
  CHECK_FALSE(v6->contains("fe80::1"));
  CHECK_FALSE(AddressRange::parse("10.0.0.0/33").ok());
  CHECK_FALSE(AddressRange::parse("example.org").ok());
  CHECK_FALSE(AddressRange::parse("10.0.0.0/").ok());
}
