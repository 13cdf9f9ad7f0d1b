// FakeClock: a Clock whose time moves only when a test says so.
// sleep_for() advances it instead of blocking, so code that backs off or waits
// runs instantly and deterministically under test.
//
// A thread in wait_for() (a PeriodicWorker between its runs) wakes when the
// time is advanced, looks at it and either leaves its wait or waits again.
// advance() returns only once every waiting thread has looked at the new time,
// so a test can check an absence without sleeping:
//
//   clock.advance(59s);                // the worker has seen 59 s pass ...
//   CHECK(clock.waits() == before);    // ... and is still in the same wait: no run
//
// and waits() / await_waits() tell when a worker has finished a pass and is
// waiting again.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "gateway/core/clock.h"

namespace gw::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = from_unix_ms(1'780'000'000'000)) : now_(start) {}

  TimePoint now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  // Moves the time (waking waiters, without waiting for them: the caller may
  // be a worker that other waiters are not concerned with).
  void sleep_for(Millis d) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(d);
    }
    move(d);
  }
  // Moves the time and returns once every thread waiting on this clock has
  // looked at the new time: it has left its wait (its time came, or what it
  // waits for holds) or it waits again. Gives up after 10 s of real time.
  void advance(Millis d) {
    const uint64_t epoch = move(d);
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::all_of(waiters_.begin(), waiters_.end(), [&](const Waiter* w) { return w->seen >= epoch; });
    });
  }
  // Every duration passed to sleep_for, in order.
  std::vector<Millis> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

  bool wait_for(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Millis d,
                const std::function<bool()>& done) override {
    Waiter me{lock.mutex(), &cv, 0};
    TimePoint deadline;
    {
      std::lock_guard<std::mutex> g(mu_);
      deadline = now_ + d;
      me.seen = epoch_;
      waiters_.push_back(&me);
      ++waits_;
    }
    changed_.notify_all();
    while (!done()) {
      bool due;
      {
        std::lock_guard<std::mutex> g(mu_);
        me.seen = epoch_;
        due = now_ >= deadline;
      }
      changed_.notify_all();
      if (due) break;
      cv.wait(lock);
    }
    // Leaving takes notify_mu_, which move() holds while it takes waiters'
    // mutexes: so not with the caller's mutex held.
    lock.unlock();
    {
      std::lock_guard<std::mutex> n(notify_mu_);
      std::lock_guard<std::mutex> g(mu_);
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
    }
    changed_.notify_all();
    lock.lock();
    return done();
  }

  // wait_for calls begun so far (a wait counts once however often it wakes):
  // each pass of a PeriodicWorker ends by beginning one.
  uint64_t waits() const {
    std::lock_guard<std::mutex> lock(mu_);
    return waits_;
  }
  // Threads in wait_for now.
  size_t waiting() const {
    std::lock_guard<std::mutex> lock(mu_);
    return waiters_.size();
  }
  // Blocks until waits() >= n (a worker has finished the pass that precedes
  // its n-th wait); false if that has not happened within 10 s of real time.
  bool await_waits(uint64_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return waits_ >= n; });
  }

 private:
  struct Waiter {
    std::mutex* mu;               // the waiting caller's mutex
    std::condition_variable* cv;  // and the condition variable it waits on
    uint64_t seen;                // the last epoch_ it looked at; guarded by mu_
  };

  // Moves the time and wakes every waiter; returns the new epoch.
  uint64_t move(Millis d) {
    // Held while the waiters' mutexes are used: a waiter leaves only under it,
    // so none of them goes away meanwhile.
    std::lock_guard<std::mutex> n(notify_mu_);
    uint64_t epoch;
    std::vector<Waiter*> waiters;
    {
      std::lock_guard<std::mutex> lock(mu_);
      now_ += d;
      epoch = ++epoch_;
      waiters = waiters_;
    }
    // A waiter checks the time with its mutex held and releases it only by
    // waiting on its cv: taking that mutex before notifying means each one
    // either sees the new time or is woken.
    for (Waiter* w : waiters) {
      std::lock_guard<std::mutex> m(*w->mu);
      w->cv->notify_all();
    }
    return epoch;
  }

  // Lock order: notify_mu_, then a waiter's mutex, then mu_ (which is taken
  // last by everyone, never held while taking another).
  mutable std::mutex notify_mu_;
  mutable std::mutex mu_;
  std::condition_variable changed_;  // waiters come, look and go; with mu_
  TimePoint now_;
  uint64_t epoch_ = 0;  // advances of the time so far
  uint64_t waits_ = 0;
  std::vector<Waiter*> waiters_;
  std::vector<Millis> sleeps_;
};

}  // namespace gw::testing
