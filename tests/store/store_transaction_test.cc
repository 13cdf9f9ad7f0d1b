// Store::in_transaction: several calls committed as one, or none of them kept.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::Status;
using gw::testing::StoreFixture;
using namespace std::chrono_literals;

namespace {

int64_t message_count(StoreFixture& f, const gw::Conversation& conv) {
  auto msgs = f.store->list_messages(conv.id);
  REQUIRE(msgs.ok());
  return static_cast<int64_t>(msgs->size());
}

}  // namespace

TEST_CASE("in_transaction commits every call of its body together", "[store][contract]") {
  // Given a body that creates a contact, a conversation and two messages, then
  // everything is there afterwards, also after the database is reopened.
  StoreFixture f(/*in_file=*/true);
  int64_t conversation_id = 0;
  Status st = f.store->in_transaction([&]() -> Status {
    auto c = f.store->upsert_contact("uk-sms", "+447700900001", f.clock.now());
    if (!c) return c.error();
    auto conv = f.store->open_or_get_conversation(c->id, "uk-sms", f.clock.now());
    if (!conv) return conv.error();
    conversation_id = conv->id;
    gw::Message m = f.message(*conv, "hello");
    m.provider_id = "SM1";
    if (auto in = f.store->insert_inbound(m); !in) return in.error();
    if (auto out = f.store->enqueue_outbound(f.message(*conv, "welcome"), f.clock.now()); !out)
      return out.error();
    return {};
  });
  REQUIRE(st.ok());
  f.reopen();
  auto found = f.store->find_contact("uk-sms", "+447700900001");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  auto msgs = f.store->list_messages(conversation_id);
  REQUIRE(msgs.ok());
  REQUIRE(msgs->size() == 2);
  CHECK((*msgs)[0].body == "hello");
  CHECK((*msgs)[1].body == "welcome");
  auto depth = f.store->outbox_depth();
  REQUIRE(depth.ok());
  CHECK(*depth == 1);
}

TEST_CASE("in_transaction keeps nothing when its body returns an error", "[store][contract]") {
  // Given a body whose calls all succeed but which then fails, then neither the
  // contact nor the message it wrote is kept, and the error is returned as is.
  StoreFixture f;
  auto kept = f.contact("+447700900002");
  auto kept_conv = f.conversation(kept);
  Status st = f.store->in_transaction([&]() -> Status {
    auto c = f.store->upsert_contact("uk-sms", "+447700900003", f.clock.now());
    if (!c) return c.error();
    if (auto in = f.store->insert_inbound(f.message(kept_conv, "lost")); !in) return in.error();
    return gw::Error::invalid("the caller changed its mind");
  });
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kInvalidArgument);
  CHECK(st.error().message == "the caller changed its mind");
  auto gone = f.store->find_contact("uk-sms", "+447700900003");
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());
  CHECK(message_count(f, kept_conv) == 0);
  // The store is usable afterwards, outside any transaction.
  CHECK(f.store->insert_inbound(f.message(kept_conv, "kept")).ok());
  CHECK(message_count(f, kept_conv) == 1);
}

TEST_CASE("a call that fails inside in_transaction undoes only its own part", "[store][contract]") {
  // Given a body that tolerates one failing call (a duplicate account), then the
  // other calls are committed and the failed one left nothing behind.
  StoreFixture f;
  gw::Account a;
  a.username = "amira";
  a.password_hash = "x";
  a.role = "operator";
  REQUIRE(f.store->create_account(a).ok());
  Status st = f.store->in_transaction([&]() -> Status {
    auto dup = f.store->create_account(a);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().code == ErrorCode::kAlreadyExists);
    gw::Account b = a;
    b.username = "bilal";
    if (auto id = f.store->create_account(b); !id) return id.error();
    return {};
  });
  REQUIRE(st.ok());
  auto bilal = f.store->find_account("bilal");
  REQUIRE(bilal.ok());
  CHECK(bilal->has_value());
}

TEST_CASE("nested in_transaction calls join the outer transaction", "[store][contract]") {
  StoreFixture f;
  auto c = f.contact("+447700900004");
  auto conv = f.conversation(c);

  SECTION("an inner failure returned by the outer body rolls back everything") {
    Status st = f.store->in_transaction([&]() -> Status {
      if (auto in = f.store->insert_inbound(f.message(conv, "outer")); !in) return in.error();
      return f.store->in_transaction([&]() -> Status {
        if (auto in = f.store->insert_inbound(f.message(conv, "inner")); !in) return in.error();
        return gw::Error::unavailable("inner failed");
      });
    });
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::kUnavailable);
    CHECK(message_count(f, conv) == 0);
  }
  SECTION("an inner failure the outer body tolerates undoes only the inner part") {
    Status st = f.store->in_transaction([&]() -> Status {
      if (auto in = f.store->insert_inbound(f.message(conv, "outer")); !in) return in.error();
      Status inner = f.store->in_transaction([&]() -> Status {
        if (auto in = f.store->insert_inbound(f.message(conv, "inner")); !in) return in.error();
        return gw::Error::unavailable("inner failed");
      });
      CHECK_FALSE(inner.ok());
      return {};
    });
    REQUIRE(st.ok());
    auto msgs = f.store->list_messages(conv.id);
    REQUIRE(msgs.ok());
    REQUIRE(msgs->size() == 1);
    CHECK((*msgs)[0].body == "outer");
  }
  SECTION("inner successes are committed with the outer one") {
    Status st = f.store->in_transaction([&]() -> Status {
      for (int i = 0; i < 3; ++i) {
        Status inner = f.store->in_transaction([&]() -> Status {
          auto in = f.store->insert_inbound(f.message(conv, "m" + std::to_string(i)));
          if (!in) return in.error();
          return {};
        });
        if (!inner) return inner;
      }
      return {};
    });
    REQUIRE(st.ok());
    CHECK(message_count(f, conv) == 3);
  }
}

TEST_CASE("other threads wait until an in_transaction body has finished", "[store]") {
  // Given a body that writes a contact, lets another thread try to read it, and
  // then fails: the other thread's read must wait and then see no contact. On a
  // store that did not make it wait, it would read the uncommitted contact.
  // The body goes on only once the reader's thread is asleep in the kernel
  // (blocked on the store), as /proc shows; a reader that is not held back
  // finishes instead, and the body then sees it done.
  StoreFixture f;
  std::atomic<bool> inside{false};
  std::atomic<bool> body_done{false};
  std::atomic<bool> reader_saw_body_done{false};
  std::atomic<bool> reader_finished{false};
  std::atomic<pid_t> reader_tid{0};
  std::optional<bool> reader_found;
  std::thread reader([&] {
    reader_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    while (!inside.load()) std::this_thread::yield();
    auto r = f.store->find_contact("uk-sms", "+447700900005");
    reader_saw_body_done = body_done.load();
    if (r.ok()) reader_found = r->has_value();
    reader_finished = true;
  });
  // 'S': sleeping in the kernel, which for the reader can only be a wait for the store.
  const auto reader_blocked = [&] {
    std::ifstream stat("/proc/self/task/" + std::to_string(reader_tid.load()) + "/stat");
    std::string line;
    std::getline(stat, line);
    const size_t paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'S';
  };
  Status st = f.store->in_transaction([&]() -> Status {
    auto c = f.store->upsert_contact("uk-sms", "+447700900005", f.clock.now());
    if (!c) return c.error();
    while (reader_tid.load() == 0) std::this_thread::yield();
    inside = true;
    for (int i = 0; i < 5000 && !reader_finished.load() && !reader_blocked(); ++i) {
      std::this_thread::sleep_for(1ms);  // polls until the reader blocks (or wrongly finishes)
    }
    body_done = true;
    return gw::Error::internal("rolled back on purpose");
  });
  reader.join();
  CHECK_FALSE(st.ok());
  CHECK(reader_saw_body_done.load());
  REQUIRE(reader_found.has_value());
  CHECK_FALSE(*reader_found);
}

TEST_CASE("in_transaction on a closed store is unavailable and does not run its body", "[store][contract]") {
  StoreFixture f;
  REQUIRE(f.store->close().ok());
  bool ran = false;
  Status st = f.store->in_transaction([&]() -> Status {
    ran = true;
    return {};
  });
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kUnavailable);
  CHECK_FALSE(ran);
}

TEST_CASE("concurrent in_transaction bodies share commits but fail alone", "[store]") {
  // Given 8 threads each running 40 bodies at once (so that bodies are committed
  // in batches), where every 4th body writes a contact and then fails and every
  // 10th throws after writing, then exactly the contacts of the bodies that
  // returned ok are kept, after a reopen too, and each caller saw its own result.
  StoreFixture f(/*in_file=*/true);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> wrong_result{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        const std::string address = "+4477009" + std::to_string(10000 + n);
        const bool fails = n % 4 == 3;
        const bool throws = !fails && n % 10 == 9;
        Status st = f.store->in_transaction([&]() -> Status {
          auto c = f.store->upsert_contact("uk-sms", address, f.clock.now());
          if (!c) return c.error();
          if (throws) throw std::runtime_error("boom");
          if (fails) return gw::Error::invalid("refused on purpose");
          return {};
        });
        const bool expect_ok = !fails && !throws;
        if (st.ok() != expect_ok) ++wrong_result;
        if (fails && !st.ok() && st.error().code != ErrorCode::kInvalidArgument) ++wrong_result;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong_result.load() == 0);
  f.reopen();
  int kept = 0;
  int wrongly_kept = 0;
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    auto found = f.store->find_contact("uk-sms", "+4477009" + std::to_string(10000 + n));
    REQUIRE(found.ok());
    const bool expect = !(n % 4 == 3) && !(n % 10 == 9);
    if (found->has_value()) ++kept;
    if (found->has_value() != expect) ++wrongly_kept;
  }
  CHECK(wrongly_kept == 0);
  CHECK(kept == 224);  // 320 - 80 failing - 16 throwing (n % 10 == 9 and n % 4 != 3)
}
