// GroupCommit: leader/follower batching of writes to one connection. Callers
// submit a job; whoever finds no batch being written (the leader) writes every
// job queued so far, up to `max_batch`, in one go, wakes their callers, and
// hands the lead to the first caller that queued meanwhile. Under load one
// commit (its WAL writes) serves many callers; alone, a job is written at once.
// Each waiter sleeps on its own condition variable, so a finished batch wakes
// its callers and the next leader only, not every queued thread.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace gw::sqlite {

// What GroupCommit needs of a job: derive from it.
struct GroupCommitSlot {
  bool done = false;
  bool lead = false;  // handed the next batch by the previous leader
  std::condition_variable cv;
};

template <class Job>
class GroupCommit {
 public:
  explicit GroupCommit(size_t max_batch) : max_batch_(max_batch) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Returns once `write(std::vector<Job*>&)` has run on a batch holding `job`,
  // on this thread or another. Batches are written one at a time; `write` runs
  // without this object's lock and must set each job's outcome.
  template <class Write>
  void submit(Job& job, Write&& write) {
    std::unique_lock<std::mutex> q(mu_);
    queue_.push_back(&job);
    if (running_) {
      job.cv.wait(q, [&] { return job.done || job.lead; });
      if (job.done) return;  // a leader wrote it
    }
    // Leader: this job is at the front of the queue (a new leader only starts
    // on an empty queue, or is the front one handed the lead).
    running_ = true;
    std::vector<Job*> batch;
    const size_t n = std::min(queue_.size(), max_batch_);
    batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    q.unlock();
    write(batch);
    q.lock();
    for (Job* j : batch) {
      j->done = true;
      if (j != &job) j->cv.notify_one();  // under mu_: the waiter cannot return before we let go
    }
    if (queue_.empty()) {
      running_ = false;
    } else {
      queue_.front()->lead = true;
      queue_.front()->cv.notify_one();
    }
  }

 private:
  const size_t max_batch_;
  std::mutex mu_;
  std::vector<Job*> queue_;
  bool running_ = false;
};

}  // namespace gw::sqlite
