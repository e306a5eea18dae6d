#include "trainer/model/lstm_kernel.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>
#include <torch/library.h>
#include <torch/torch.h>

namespace snipe::trainer {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Row-parallel loop over the batch: rows are independent in every fused loop below.
template <class Body>
void for_rows(std::int64_t rows, const Body& body) {
  at::parallel_for(0, rows, 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t b = begin; b < end; ++b) body(b);
  });
}

// One direction of one layer. Time-major internally: row t of a [T, B, .] buffer is step t.
// Saved for backward (all [T, B, .]): the activated gates (i, f, g, o), the cell states c,
// tanh(c), and the outputs h.
class LstmDirection : public torch::autograd::Function<LstmDirection> {
 public:
  // x [B, T, I] -> h [B, T, H]
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& w_ih, const Tensor& w_hh,
                        const Tensor& b_ih, const Tensor& b_hh, bool reverse) {
    TORCH_CHECK(x.dim() == 3 && x.scalar_type() == torch::kFloat32 && x.device().is_cpu(),
                "snipe::bilstm: input must be a float32 CPU tensor [B, T, I]");
    const std::int64_t batch = x.size(0), steps = x.size(1), hidden = w_hh.size(1);
    for (const Tensor* w : {&w_ih, &w_hh, &b_ih, &b_hh}) {
      TORCH_CHECK(w->scalar_type() == torch::kFloat32 && w->device().is_cpu(),
                  "snipe::bilstm: weights must be float32 CPU tensors");
    }
    TORCH_CHECK(w_hh.sizes() == torch::IntArrayRef({4 * hidden, hidden}) &&
                    w_ih.sizes() == torch::IntArrayRef({4 * hidden, x.size(2)}) &&
                    b_ih.sizes() == torch::IntArrayRef({4 * hidden}) && b_hh.sizes() == torch::IntArrayRef({4 * hidden}),
                "snipe::bilstm: weights must be w_ih [4H, I], w_hh [4H, H], b_ih and b_hh [4H]");
    const Tensor xt = x.transpose(0, 1).contiguous();  // [T, B, I]
    // The input projection of every step at once, as torch.lstm precomputes it on CPU for
    // batch-first input: the product, then the bias (not addmm, which rounds differently).
    const Tensor ih = torch::mm(xt.view({steps * batch, x.size(2)}), w_ih.t()).add_(b_ih).view({steps, batch, 4 * hidden});
    Tensor gates = torch::empty({steps, batch, 4 * hidden}, x.options());
    Tensor c = torch::empty({steps, batch, hidden}, x.options());
    Tensor tanh_c = torch::empty_like(c);
    Tensor h = torch::empty_like(c);
    const Tensor zeros = torch::zeros({batch, hidden}, x.options());
    const Tensor w_hh_t = w_hh.t();
    for (std::int64_t n = 0; n < steps; ++n) {
      const std::int64_t t = reverse ? steps - 1 - n : n;
      const std::int64_t prev = reverse ? t + 1 : t - 1;
      const Tensor h_prev = n == 0 ? zeros : h[prev];
      const Tensor c_prev = n == 0 ? zeros : c[prev];
      // gates = (b_hh + h_prev W_hh^T) + ih[t]: torch.lstm's order of additions.
      Tensor g = gates[t];
      torch::addmm_out(g, b_hh, h_prev, w_hh_t);
      g.add_(ih[t]);
      g.narrow(1, 0, hidden).sigmoid_();           // i  (one call per gate, like torch.lstm,
      g.narrow(1, hidden, hidden).sigmoid_();      // f   so vector and tail elements match)
      g.narrow(1, 2 * hidden, hidden).tanh_();     // g
      g.narrow(1, 3 * hidden, hidden).sigmoid_();  // o
      Tensor c_t = c[t], tanh_c_t = tanh_c[t], h_t = h[t];
      cell_forward(g, c_prev, c_t, hidden);
      torch::tanh_out(tanh_c_t, c_t);
      torch::mul_out(h_t, g.narrow(1, 3 * hidden, hidden), tanh_c_t);
    }
    ctx->save_for_backward({xt, w_ih, w_hh});
    ctx->saved_data["gates"] = gates;
    ctx->saved_data["c"] = c;
    ctx->saved_data["tanh_c"] = tanh_c;
    ctx->saved_data["h"] = h;
    ctx->saved_data["reverse"] = reverse;
    return h.transpose(0, 1);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const Tensor& xt = saved[0];
    const Tensor& w_ih = saved[1];
    const Tensor& w_hh = saved[2];
    const Tensor gates = ctx->saved_data["gates"].toTensor();
    const Tensor c = ctx->saved_data["c"].toTensor();
    const Tensor tanh_c = ctx->saved_data["tanh_c"].toTensor();
    const Tensor h = ctx->saved_data["h"].toTensor();
    const bool reverse = ctx->saved_data["reverse"].toBool();
    const std::int64_t steps = xt.size(0), batch = xt.size(1), hidden = w_hh.size(1);

    const Tensor dh_out = grad_outputs[0].transpose(0, 1).contiguous();  // [T, B, H]
    Tensor dgates = torch::empty_like(gates);                               // pre-activation
    Tensor dh = torch::zeros({batch, hidden}, xt.options());                // into step t from t+1
    Tensor dc = torch::zeros({batch, hidden}, xt.options());
    const Tensor zeros = torch::zeros({batch, hidden}, xt.options());
    for (std::int64_t n = steps - 1; n >= 0; --n) {
      const std::int64_t t = reverse ? steps - 1 - n : n;
      const std::int64_t prev = reverse ? t + 1 : t - 1;
      const Tensor c_prev = n == 0 ? zeros : c[prev];
      dh.add_(dh_out[t]);
      cell_backward(gates[t], c_prev, tanh_c[t], dh, dc, dgates[t], hidden);
      if (n > 0) torch::mm_out(dh, dgates[t], w_hh);  // dh for step prev
    }
    // Everything else as single products over all T x B rows.
    const Tensor dg = dgates.view({steps * batch, 4 * hidden});
    Tensor dx;  // the first layer's input (the features) needs none
    if (ctx->needs_input_grad(0)) dx = torch::mm(dg, w_ih).view({steps, batch, xt.size(2)}).transpose(0, 1);
    const Tensor dw_ih = torch::mm(dg.t(), xt.view({steps * batch, xt.size(2)}));
    const Tensor h_prev = previous_outputs(h, reverse).view({steps * batch, hidden});
    const Tensor dw_hh = torch::mm(dg.t(), h_prev);
    const Tensor db = dg.sum(0);
    return {dx, dw_ih, dw_hh, db, db, Tensor()};
  }

 private:
  // c = f * c_prev + i * g, with torch.lstm's rounding: both products, then their sum.
  static void cell_forward(const Tensor& gates, const Tensor& c_prev, Tensor c, std::int64_t hidden) {
    const float* g = gates.data_ptr<float>();
    const float* cp = c_prev.data_ptr<float>();
    float* out = c.data_ptr<float>();
    for_rows(gates.size(0), [&](std::int64_t b) {
      const float* __restrict__ i = g + b * 4 * hidden;
      const float* __restrict__ f = i + hidden;
      const float* __restrict__ gg = i + 2 * hidden;
      const float* __restrict__ c_in = cp + b * hidden;
      float* __restrict__ c_out = out + b * hidden;
#pragma GCC ivdep
      for (std::int64_t j = 0; j < hidden; ++j) {
        const float forget = f[j] * c_in[j];
        const float input = i[j] * gg[j];
        c_out[j] = forget + input;
      }
    });
  }

  // From dh (into h[t]) and dc (into c[t] from step t+1): the pre-activation gate gradients
  // of step t into `dgates`, and dc becomes the gradient into c_prev.
  static void cell_backward(const Tensor& gates, const Tensor& c_prev, const Tensor& tanh_c, const Tensor& dh,
                            Tensor& dc, Tensor dgates, std::int64_t hidden) {
    const float* g = gates.data_ptr<float>();
    const float* cp = c_prev.data_ptr<float>();
    const float* tc = tanh_c.data_ptr<float>();
    const float* dhp = dh.data_ptr<float>();
    float* dcp = dc.data_ptr<float>();
    float* out = dgates.data_ptr<float>();
    for_rows(gates.size(0), [&](std::int64_t b) {
      // Rows of step t: activated gates in, their gradients out, state b of [B, H] buffers.
      const float* __restrict__ gi = g + b * 4 * hidden;
      const float* __restrict__ gf = gi + hidden;
      const float* __restrict__ gc = gi + 2 * hidden;
      const float* __restrict__ go = gi + 3 * hidden;
      float* __restrict__ di = out + b * 4 * hidden;
      float* __restrict__ df = di + hidden;
      float* __restrict__ dgc = di + 2 * hidden;
      float* __restrict__ dgo = di + 3 * hidden;
      const float* __restrict__ c_in = cp + b * hidden;
      const float* __restrict__ tanh_row = tc + b * hidden;
      const float* __restrict__ dh_in = dhp + b * hidden;
      float* __restrict__ dc_io = dcp + b * hidden;
#pragma GCC ivdep
      for (std::int64_t j = 0; j < hidden; ++j) {
        const float i = gi[j], f = gf[j], gg = gc[j], o = go[j], t = tanh_row[j], dh_j = dh_in[j];
        const float dc_total = dc_io[j] + dh_j * o * (1.0f - t * t);
        di[j] = dc_total * gg * i * (1.0f - i);     // input gate
        df[j] = dc_total * c_in[j] * f * (1.0f - f);  // forget gate
        dgc[j] = dc_total * i * (1.0f - gg * gg);   // cell candidate
        dgo[j] = dh_j * t * o * (1.0f - o);         // output gate
        dc_io[j] = dc_total * f;
      }
    });
  }

  // The state each step started from: h shifted one step against the direction of travel,
  // zeros where the sequence starts. [T, B, H]
  static Tensor previous_outputs(const Tensor& h, bool reverse) {
    const std::int64_t steps = h.size(0);
    Tensor shifted = torch::zeros_like(h);
    if (steps > 1) {
      if (reverse) {
        shifted.narrow(0, 0, steps - 1).copy_(h.narrow(0, 1, steps - 1));
      } else {
        shifted.narrow(0, 1, steps - 1).copy_(h.narrow(0, 0, steps - 1));
      }
    }
    return shifted;
  }
};

}  // namespace

Tensor bilstm(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
              const Tensor& w_ih_r, const Tensor& w_hh_r, const Tensor& b_ih_r, const Tensor& b_hh_r) {
  const Tensor forward = LstmDirection::apply(x, w_ih, w_hh, b_ih, b_hh, false);
  const Tensor backward = LstmDirection::apply(x, w_ih_r, w_hh_r, b_ih_r, b_hh_r, true);
  return torch::cat({forward, backward}, 2);
}

TORCH_LIBRARY(snipe, m) {
  m.def("bilstm(Tensor x, Tensor w_ih, Tensor w_hh, Tensor b_ih, Tensor b_hh, Tensor w_ih_r, Tensor w_hh_r, "
        "Tensor b_ih_r, Tensor b_hh_r) -> Tensor",
        &bilstm);
}

namespace {

// `torch` -> the aten builtins (as the default resolver), `snipe` -> this library's ops.
struct SnipeOpsResolver : torch::jit::NativeResolver {
  std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string& name, torch::jit::GraphFunction& m,
                                                         const torch::jit::SourceRange& loc) override {
    if (name == "snipe") return std::make_shared<torch::jit::BuiltinModule>("snipe");
    return NativeResolver::resolveValue(name, m, loc);
  }
};

}  // namespace

torch::jit::ResolverPtr snipe_ops_resolver() { return std::make_shared<SnipeOpsResolver>(); }

}  // namespace snipe::trainer
