#include "trainer/train/gradient_reducer.h"

#include <mutex>

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

#include "trainer/train/tensor_buffer.h"

namespace snipe::trainer {

// The buckets and their progress through one backward pass.
struct GradientReducer::State {
  struct Bucket {
    torch::Tensor gradients;    // [numel]: a slice of the flat buffer
    std::size_t parameters = 0;  // how many parameters' gradients it holds
    std::size_t ready = 0;       // of those, accumulated in this backward
    std::unique_ptr<Work> work;  // its all-reduce, once started
  };

  explicit State(Communicator& c) : comm(c) {}

  // A parameter of `bucket` has its gradient. Starts every bucket, in index order, whose
  // gradients are all ready and whose predecessors have started.
  void ready(std::size_t bucket) {
    const std::lock_guard lock(mutex);
    ++buckets[bucket].ready;
    while (started < buckets.size() && buckets[started].ready == buckets[started].parameters) start_next();
  }

  // Starts what is left (a parameter without a gradient this pass leaves its bucket short),
  // waits for every bucket and resets the counts for the next backward.
  void finish() {
    const std::lock_guard lock(mutex);
    if (buckets.size() == 1 && started == 0) {  // fused: the blocking call, on this thread
      comm.allreduce(tensor_buffer(buckets.front().gradients), ReduceOp::kAverage);
      return;
    }
    while (started < buckets.size()) start_next();
    for (Bucket& b : buckets) {
      b.work->wait();
      b.work.reset();
      b.ready = 0;
    }
    started = 0;
  }

  void start_next() {
    Bucket& b = buckets[started++];
    b.work = comm.allreduce_async(tensor_buffer(b.gradients), ReduceOp::kAverage);
  }

  Communicator& comm;
  std::mutex mutex;              // the hooks may run on autograd's device threads
  std::vector<Bucket> buckets;   // [bucket], in the order backward fills them
  std::size_t started = 0;       // buckets [0, started) have their all-reduce running
  // The parameters' gradient accumulators, kept alive so they keep the hooks (autograd
  // would otherwise make new ones, without hooks, for the next backward).
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
};

namespace {

// Parameter indices in flat-buffer order, cut into buckets of about `bucket_bytes`
// (0: one bucket). [bucket][parameter index]
std::vector<std::vector<std::size_t>> plan_buckets(const std::vector<torch::Tensor>& parameters,
                                                   std::size_t bucket_bytes) {
  std::vector<std::vector<std::size_t>> plan(1);
  std::size_t bytes = 0;
  for (std::size_t i = parameters.size(); i-- > 0;) {
    if (bucket_bytes > 0 && bytes >= bucket_bytes) {
      plan.emplace_back();
      bytes = 0;
    }
    plan.back().push_back(i);
    bytes += static_cast<std::size_t>(parameters[i].numel()) * sizeof(float);
  }
  return plan;
}

// Tells `state` when `parameter`'s gradient has been accumulated in this backward.
void hook_when_ready(const torch::Tensor& parameter, std::size_t bucket,
                     const std::shared_ptr<GradientReducer::State>& state) {
  std::shared_ptr<torch::autograd::Node> accumulator = torch::autograd::impl::grad_accumulator(parameter);
  TORCH_CHECK(accumulator, "gradient reducer: a parameter without a gradient accumulator (requires_grad off?)");
  using Variables = torch::autograd::variable_list;
  accumulator->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
      [weak = std::weak_ptr(state), bucket](const Variables& outputs, const Variables&) {
        if (const auto alive = weak.lock()) alive->ready(bucket);
        return outputs;
      }));
  state->accumulators.push_back(std::move(accumulator));
}

}  // namespace

GradientReducer::GradientReducer(const std::vector<torch::Tensor>& parameters, Communicator& comm, double bucket_mb)
    : comm_(comm), state_(std::make_shared<State>(comm)) {
  TORCH_CHECK(!parameters.empty(), "gradient reducer: no parameters");
  std::int64_t total = 0;
  for (const auto& p : parameters) {
    TORCH_CHECK(p.scalar_type() == torch::kFloat32, "gradient reducer: float32 parameters only");
    TORCH_CHECK(p.device() == parameters.front().device(), "gradient reducer: parameters on several devices");
    total += p.numel();
  }
  flat_ = torch::zeros({total}, parameters.front().options().requires_grad(false));
  const bool bucketed = bucket_mb > 0 && comm.size() > 1;
  const auto plan = plan_buckets(parameters, bucketed ? static_cast<std::size_t>(bucket_mb * (1 << 20)) : 0);
  const torch::NoGradGuard no_grad;
  std::int64_t offset = 0;
  for (std::size_t b = 0; b < plan.size(); ++b) {
    const std::int64_t begin = offset;
    for (const std::size_t i : plan[b]) {
      torch::Tensor parameter = parameters[i];  // shares the TensorImpl: mutable_grad() sets the parameter's grad
      parameter.mutable_grad() = flat_.narrow(0, offset, parameter.numel()).view(parameter.sizes());
      offset += parameter.numel();
      if (bucketed) hook_when_ready(parameter, b, state_);
    }
    state_->buckets.push_back({.gradients = flat_.narrow(0, begin, offset - begin), .parameters = plan[b].size()});
  }
}

GradientReducer::~GradientReducer() = default;

std::size_t GradientReducer::buckets() const { return state_->buckets.size(); }

void GradientReducer::reduce() {
  if (comm_.size() > 1) state_->finish();
}

GradientHook GradientReducer::hook() {
  return [this](const std::vector<torch::Tensor>&) { reduce(); };
}

void broadcast_tensors(const std::vector<torch::Tensor>& tensors, Communicator& comm, int root) {
  if (comm.size() == 1) return;
  const torch::NoGradGuard no_grad;
  for (const auto& t : tensors) comm.broadcast(tensor_buffer(t.detach()), root);
}

}  // namespace snipe::trainer
