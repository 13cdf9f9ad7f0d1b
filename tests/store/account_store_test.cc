// Staff accounts in the store: the console's fields (languages, queues,
// capacity, must_change_password) survive a round trip, and the lookups by id,
// the listing and the count see every account.
#include <catch2/catch.hpp>

#include "tests/store/store_fixture.h"

using gw::Account;
using gw::ErrorCode;
using gw::testing::StoreFixture;

namespace {
Account operator_account(const std::string& name) {
  Account a;
  a.username = name;
  a.password_hash = "$argon2id$placeholder";
  a.role = "operator";
  return a;
}
}  // namespace

TEST_CASE("an account keeps its languages, queues, capacity and one-time password flag",
          "[store][accounts][contract]") {
  StoreFixture f;
  Account a = operator_account("amina");
  a.languages = {"ar", "en"};
  a.queues = {"general", "urgent"};
  a.capacity = 5;
  a.must_change_password = true;
  auto id = f.store->create_account(a);
  REQUIRE(id.ok());

  auto got = f.store->get_account(*id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->username == "amina");
  CHECK((*got)->languages == std::vector<std::string>{"ar", "en"});
  CHECK((*got)->queues == std::vector<std::string>{"general", "urgent"});
  CHECK((*got)->capacity == 5);
  CHECK((*got)->must_change_password);

  Account changed = **got;
  changed.languages = {"uk"};
  changed.queues = {};
  changed.capacity = 1;
  changed.must_change_password = false;
  REQUIRE(f.store->update_account(changed).ok());
  auto found = f.store->find_account("AMINA");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->languages == std::vector<std::string>{"uk"});
  CHECK((*found)->queues.empty());
  CHECK((*found)->capacity == 1);
  CHECK_FALSE((*found)->must_change_password);
}

TEST_CASE("a new account defaults to a capacity of 3 and no one-time password", "[store][accounts][contract]") {
  StoreFixture f;
  auto id = f.store->create_account(operator_account("bilal"));
  REQUIRE(id.ok());
  auto got = f.store->get_account(*id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->capacity == 3);
  CHECK_FALSE((*got)->must_change_password);
  CHECK((*got)->languages.empty());
}

TEST_CASE("get_account, list_accounts and count_accounts see every account", "[store][accounts][contract]") {
  StoreFixture f;
  auto none = f.store->count_accounts();
  REQUIRE(none.ok());
  CHECK(*none == 0);
  auto missing = f.store->get_account(42);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());

  auto a = f.store->create_account(operator_account("amina"));
  Account sup = operator_account("bilal");
  sup.role = "supervisor";
  auto b = f.store->create_account(sup);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*f.store->count_accounts() == 2);
  auto all = f.store->list_accounts();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].id == *a);
  CHECK((*all)[0].username == "amina");
  CHECK((*all)[1].id == *b);
  CHECK((*all)[1].role == "supervisor");
}

TEST_CASE("account languages and queues must be names without commas", "[store][accounts][contract]") {
  StoreFixture f;
  Account a = operator_account("amina");
  a.queues = {"general,urgent"};
  auto r = f.store->create_account(a);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  a.queues = {""};
  CHECK(f.store->create_account(a).error().code == ErrorCode::kInvalidArgument);
  a.queues = {};
  a.capacity = -1;
  CHECK(f.store->create_account(a).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("account fields survive reopening a file database", "[store][accounts][contract]") {
  StoreFixture f(/*in_file=*/true);
  Account a = operator_account("amina");
  a.languages = {"fa", "prs"};
  a.capacity = 2;
  auto id = f.store->create_account(a);
  REQUIRE(id.ok());
  f.reopen();
  auto got = f.store->get_account(*id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->languages == std::vector<std::string>{"fa", "prs"});
  CHECK((*got)->capacity == 2);
}
