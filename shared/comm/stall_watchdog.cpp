// The stall watchdog: the wrapper that numbers and times this rank's collectives, the
// thread that answers and makes inquiries, and the report.

#include "shared/comm/stall_watchdog.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/mpi/mpi_check.h"

namespace snipe {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(std::int64_t ns) {
  return std::chrono::duration<double>(Clock::now().time_since_epoch() - std::chrono::nanoseconds(ns)).count();
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

enum class Kind : int { kAllreduce, kBroadcast, kBarrier };

std::string bytes_text(std::int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < (1 << 20)) return fmt::format("{:.1f} KB", static_cast<double>(bytes) / 1024.0);
  return fmt::format("{:.2f} MB", static_cast<double>(bytes) / (1 << 20));
}

std::string describe(Kind kind, std::int64_t bytes) {
  switch (kind) {
    case Kind::kAllreduce: return "allreduce of " + bytes_text(bytes);
    case Kind::kBroadcast: return "broadcast of " + bytes_text(bytes);
    case Kind::kBarrier: return "barrier";
  }
  return "?";
}

// This rank's collectives as the watchdog sees them. Written by the thread issuing
// collectives (one at a time), read by the watchdog thread.
class Activity {
 public:
  // Numbers a new collective: 1, 2, 3, ...
  std::int64_t issue() { return issued_.fetch_add(1) + 1; }
  void block(std::int64_t collective, Kind kind, std::int64_t bytes) {
    kind_.store(static_cast<int>(kind));
    bytes_.store(bytes);
    since_ns_.store(now_ns());
    waiting_on_.store(collective);
  }
  void unblock() {
    waiting_on_.store(0);
    since_ns_.store(now_ns());
  }

  RankActivity snapshot(const std::string& host) const {
    return {.issued = issued_.load(), .waiting_on = waiting_on_.load(), .seconds = seconds_since(since_ns_.load()),
            .host = host};
  }
  std::string blocked_in() const { return describe(static_cast<Kind>(kind_.load()), bytes_.load()); }

 private:
  std::atomic<std::int64_t> issued_{0};
  std::atomic<std::int64_t> waiting_on_{0};  // 0: not blocked
  std::atomic<std::int64_t> since_ns_{now_ns()};
  std::atomic<int> kind_{0};
  std::atomic<std::int64_t> bytes_{0};
};

// RAII: this rank is blocked in `collective` for the guard's lifetime.
class Blocked {
 public:
  Blocked(Activity& activity, std::int64_t collective, Kind kind, std::int64_t bytes) : activity_(activity) {
    activity_.block(collective, kind, bytes);
  }
  ~Blocked() { activity_.unblock(); }
  Blocked(const Blocked&) = delete;
  Blocked& operator=(const Blocked&) = delete;

 private:
  Activity& activity_;
};

// ---- the watchdog thread ------------------------------------------------------------

constexpr int kQueryTag = 1;
constexpr int kAnswerTag = 2;
constexpr std::size_t kHostChars = 64;

// An answer on the wire (MPI_BYTE).
struct Answer {
  std::int64_t issued = 0;
  std::int64_t waiting_on = 0;
  double seconds = 0;
  char host[kHostChars] = {};
};

Answer to_answer(const RankActivity& a) {
  Answer out{.issued = a.issued, .waiting_on = a.waiting_on, .seconds = a.seconds};
  std::strncpy(out.host, a.host.c_str(), kHostChars - 1);
  return out;
}

RankActivity from_answer(const Answer& a) {
  return {.issued = a.issued, .waiting_on = a.waiting_on, .seconds = a.seconds,
          .host = std::string(a.host, strnlen(a.host, kHostChars))};
}

class Watchdog {
 public:
  Watchdog(const MpiContext& mpi, double timeout_s, const Activity& activity)
      : mpi_(mpi),
        timeout_s_(timeout_s),
        grace_s_(std::clamp(timeout_s / 4, 0.5, 10.0)),
        poll_(std::chrono::duration<double>(std::min(0.1, timeout_s / 10))),
        can_ask_(mpi.thread_multiple()),
        activity_(activity) {
    SNIPE_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm_));
    thread_ = std::thread([this] { run(); });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    for (auto& [answer, request] : sends_) MPI_Wait(&request, MPI_STATUS_IGNORE);
    MPI_Comm_free(&comm_);
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, poll_, [&] { return stopping_; })) {
      lock.unlock();
      if (can_ask_) {
        answer_inquiries();
        reap_sends();
      }
      const RankActivity mine = activity_.snapshot(mpi_.host());
      if (mine.waiting_on != 0 && mine.seconds > timeout_s_) inquire(mine);
      lock.lock();
    }
  }

  void answer_inquiries() {
    for (int pending = 1; pending;) {
      MPI_Status status;
      SNIPE_MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, kQueryTag, comm_, &pending, &status));
      if (!pending) return;
      std::int64_t asked_about = 0;
      SNIPE_MPI_CHECK(MPI_Recv(&asked_about, 1, MPI_INT64_T, status.MPI_SOURCE, kQueryTag, comm_, MPI_STATUS_IGNORE));
      auto answer = std::make_unique<Answer>(to_answer(activity_.snapshot(mpi_.host())));
      MPI_Request request = MPI_REQUEST_NULL;
      SNIPE_MPI_CHECK(MPI_Isend(answer.get(), sizeof(Answer), MPI_BYTE, status.MPI_SOURCE, kAnswerTag, comm_, &request));
      sends_.emplace_back(std::move(answer), request);
    }
  }

  void reap_sends() {
    std::erase_if(sends_, [](auto& send) {
      int done = 0;
      MPI_Test(&send.second, &done, MPI_STATUS_IGNORE);
      return done != 0;
    });
  }

  // Asks every rank where it stands, waits up to the grace period for the answers, then
  // reports and aborts the job, unless the collective completed meanwhile.
  void inquire(const RankActivity& mine) {
    StallInquiry inquiry{.rank = mpi_.rank(), .stalled = mine.waiting_on, .what = activity_.blocked_in(),
                         .waited_s = mine.seconds, .timeout_s = timeout_s_, .grace_s = can_ask_ ? grace_s_ : 0,
                         .ranks = std::vector<std::optional<RankActivity>>(static_cast<std::size_t>(mpi_.size()))};
    inquiry.ranks[static_cast<std::size_t>(mpi_.rank())] = mine;
    if (can_ask_) collect_answers(inquiry);
    const RankActivity now = activity_.snapshot(mpi_.host());
    if (now.waiting_on != mine.waiting_on) {
      spdlog::warn("collective #{} ({}) completed after more than the stall timeout of {} s", mine.waiting_on,
                   inquiry.what, timeout_s_);
      return;
    }
    inquiry.waited_s = now.seconds;
    spdlog::error("{}", stall_report(inquiry));
    spdlog::default_logger()->flush();
    mpi_.abort(1);
  }

  void collect_answers(StallInquiry& inquiry) {
    const auto size = static_cast<std::size_t>(mpi_.size());
    std::vector<Answer> answers(size);
    std::vector<MPI_Request> receives(size, MPI_REQUEST_NULL);
    std::int64_t stalled = inquiry.stalled;
    for (std::size_t r = 0; r < size; ++r) {
      if (static_cast<int>(r) == mpi_.rank()) continue;
      SNIPE_MPI_CHECK(MPI_Irecv(&answers[r], sizeof(Answer), MPI_BYTE, static_cast<int>(r), kAnswerTag, comm_,
                                &receives[r]));
      MPI_Request query = MPI_REQUEST_NULL;
      SNIPE_MPI_CHECK(MPI_Isend(&stalled, 1, MPI_INT64_T, static_cast<int>(r), kQueryTag, comm_, &query));
      MPI_Request_free(&query);  // 8 bytes: sent eagerly; `stalled` outlives the wait below anyway
    }
    const auto deadline = Clock::now() + std::chrono::duration<double>(grace_s_);
    while (Clock::now() < deadline) {
      answer_inquiries();  // other stalled ranks ask us meanwhile
      bool all = true;
      for (std::size_t r = 0; r < size; ++r) {
        if (receives[r] == MPI_REQUEST_NULL) continue;
        int done = 0;
        SNIPE_MPI_CHECK(MPI_Test(&receives[r], &done, MPI_STATUS_IGNORE));
        if (done) {
          inquiry.ranks[r] = from_answer(answers[r]);
        } else {
          all = false;
        }
      }
      if (all) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  const MpiContext& mpi_;
  const double timeout_s_;
  const double grace_s_;  // how long an inquiry waits for answers
  const std::chrono::duration<double> poll_;
  const bool can_ask_;  // MPI_THREAD_MULTIPLE: this thread may call MPI
  const Activity& activity_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::deque<std::pair<std::unique_ptr<Answer>, MPI_Request>> sends_;  // watchdog thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

// ---- the wrapper ----------------------------------------------------------------------

class WatchedWork final : public Work {
 public:
  WatchedWork(std::unique_ptr<Work> inner, Activity& activity, std::int64_t collective, std::int64_t bytes)
      : inner_(std::move(inner)), activity_(activity), collective_(collective), bytes_(bytes) {}
  void wait() override {
    const Blocked blocked(activity_, collective_, Kind::kAllreduce, bytes_);
    inner_->wait();
  }

 private:
  std::unique_ptr<Work> inner_;
  Activity& activity_;
  std::int64_t collective_;
  std::int64_t bytes_;
};

class WatchedCommunicator final : public Communicator {
 public:
  WatchedCommunicator(std::unique_ptr<Communicator> inner, const MpiContext& mpi, double timeout_s)
      : inner_(std::move(inner)), watchdog_(mpi, timeout_s, activity_) {}

  int rank() const override { return inner_->rank(); }
  int size() const override { return inner_->size(); }
  int local_rank() const override { return inner_->local_rank(); }
  std::string_view backend() const override { return inner_->backend(); }
  int cuda_device() const override { return inner_->cuda_device(); }

 protected:
  std::unique_ptr<Work> start_allreduce(Buffer buffer, ReduceOp op) override {
    const std::int64_t collective = activity_.issue();
    return std::make_unique<WatchedWork>(inner_->allreduce_async(buffer, op), activity_, collective,
                                         static_cast<std::int64_t>(buffer.bytes()));
  }
  void blocking_allreduce(Buffer buffer, ReduceOp op) override {
    const Blocked blocked(activity_, activity_.issue(), Kind::kAllreduce, static_cast<std::int64_t>(buffer.bytes()));
    inner_->allreduce(buffer, op);
  }
  void do_broadcast(Buffer buffer, int root) override {
    const Blocked blocked(activity_, activity_.issue(), Kind::kBroadcast, static_cast<std::int64_t>(buffer.bytes()));
    inner_->broadcast(buffer, root);
  }
  void do_barrier() override {
    const Blocked blocked(activity_, activity_.issue(), Kind::kBarrier, 0);
    inner_->barrier();
  }
  bool reaches(MemoryKind) const override { return true; }  // the inner backend checks

 private:
  std::unique_ptr<Communicator> inner_;
  Activity activity_;
  Watchdog watchdog_;  // declared last: stopped first
};

std::string rank_state(const RankActivity& a) {
  if (a.waiting_on != 0) return fmt::format("blocked in collective #{} for {:.1f} s", a.waiting_on, a.seconds);
  return fmt::format("busy outside collectives for {:.1f} s since its collective #{} (compute, I/O or a hang)",
                     a.seconds, a.issued);
}

}  // namespace

std::vector<int> ranks_not_arrived(const StallInquiry& inquiry) {
  std::vector<int> out;
  for (std::size_t r = 0; r < inquiry.ranks.size(); ++r) {
    if (inquiry.ranks[r] && inquiry.ranks[r]->issued < inquiry.stalled) out.push_back(static_cast<int>(r));
  }
  return out;
}

std::vector<int> ranks_unresponsive(const StallInquiry& inquiry) {
  std::vector<int> out;
  for (std::size_t r = 0; r < inquiry.ranks.size(); ++r) {
    if (!inquiry.ranks[r]) out.push_back(static_cast<int>(r));
  }
  return out;
}

std::string stall_report(const StallInquiry& q) {
  const auto at = [&](int r) -> const RankActivity& { return *q.ranks[static_cast<std::size_t>(r)]; };
  const std::string& host = q.ranks[static_cast<std::size_t>(q.rank)] ? at(q.rank).host : std::string("?");
  std::string out = fmt::format(
      "stall: rank {} on {} has waited {:.1f} s in collective #{} ({}), past distributed.stall_timeout_s = {}; "
      "aborting the job",
      q.rank, host, q.waited_s, q.stalled, q.what, q.timeout_s);
  const std::vector<int> missing = ranks_not_arrived(q);
  const std::vector<int> silent = ranks_unresponsive(q);
  for (const int r : missing) {
    out += fmt::format("\n  rank {} on {} has not arrived: {}", r, at(r).host, rank_state(at(r)));
  }
  for (const int r : silent) {
    out += fmt::format("\n  rank {} did not answer within {:.1f} s (dead, stopped, or stuck inside MPI)", r, q.grace_s);
  }
  if (missing.empty() && silent.empty()) {
    out += "\n  every rank has arrived: the collective itself is stuck (network, MPI or NCCL)";
  }
  out += fmt::format(
      "\n  HINT: a rank stuck in compute or I/O, a deadlock or a dead rank; if one rank legitimately works alone "
      "longer than {} s, raise [distributed] stall_timeout_s",
      q.timeout_s);
  return out;
}

std::unique_ptr<Communicator> watch_for_stalls(std::unique_ptr<Communicator> inner, const MpiContext& mpi,
                                               double timeout_s) {
  return std::make_unique<WatchedCommunicator>(std::move(inner), mpi, timeout_s);
}

}  // namespace snipe
