// The reference side of the binding benchmark: the same DDPM UNet and training step as
// Diffusion.Torch.Bench, written directly against libtorch's C++ API (torch::nn modules).
#include <torch/torch.h>

#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <malloc.h>

namespace nn = torch::nn;

struct ResBlockImpl : nn::Module {
  nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  nn::Conv2d conv1{nullptr}, conv2{nullptr}, skip{nullptr};
  nn::Linear time_proj{nullptr};

  ResBlockImpl(int64_t in, int64_t out, int64_t temb, int64_t groups) {
    norm1 = register_module("norm1", nn::GroupNorm(groups, in));
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)));
    time_proj = register_module("time_proj", nn::Linear(temb, out));
    norm2 = register_module("norm2", nn::GroupNorm(groups, out));
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1)));
    if (in != out) skip = register_module("skip", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb) {
    auto h = conv1(torch::silu(norm1(x)));
    auto shift = time_proj(torch::silu(temb));
    h = h + shift.reshape({shift.size(0), shift.size(1), 1, 1});
    h = conv2(torch::silu(norm2(h)));
    auto shortcut = skip ? skip(x) : x;
    return shortcut + h;
  }
};
TORCH_MODULE(ResBlock);

struct AttentionImpl : nn::Module {
  nn::GroupNorm norm{nullptr};
  nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, proj_out{nullptr};
  int64_t heads;

  AttentionImpl(int64_t channels, int64_t heads_, int64_t groups) : heads(heads_) {
    norm = register_module("norm", nn::GroupNorm(groups, channels));
    query = register_module("query", nn::Linear(channels, channels));
    key = register_module("key", nn::Linear(channels, channels));
    value = register_module("value", nn::Linear(channels, channels));
    proj_out = register_module("proj_out", nn::Linear(channels, channels));
  }

  torch::Tensor forward(const torch::Tensor& input) {
    int64_t n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3), tokens = h * w, d = c / heads;
    auto x = norm(input).reshape({n, c, tokens}).transpose(1, 2);
    auto split = [&](const torch::Tensor& t) { return t.reshape({n, tokens, heads, d}).transpose(1, 2); };
    auto q = split(query(x)), k = split(key(x)), v = split(value(x));
    auto weights = torch::matmul(q, k.transpose(-2, -1)).mul(1.0 / std::sqrt(static_cast<double>(d))).softmax(-1);
    auto merged = torch::matmul(weights, v).transpose(1, 2).reshape({n, tokens, c});
    return input + proj_out(merged).transpose(1, 2).reshape({n, c, h, w});
  }
};
TORCH_MODULE(Attention);

struct UNetImpl : nn::Module {
  int64_t base, levels, blocks;
  torch::Tensor frequencies;
  nn::Linear time1{nullptr}, time2{nullptr};
  nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  nn::GroupNorm norm_out{nullptr};
  std::vector<std::vector<ResBlock>> down_res, up_res;
  std::vector<std::vector<Attention>> down_attn, up_attn;
  std::vector<nn::Conv2d> downsample, upsample;  // upsample: conv after nearest x2
  ResBlock mid1{nullptr}, mid2{nullptr};
  Attention mid_attn{nullptr};

  UNetImpl(int64_t in_channels, int64_t image_size, int64_t base_, std::vector<int64_t> mult, int64_t blocks_,
           std::vector<int64_t> attention_resolutions, int64_t groups)
      : base(base_), levels(static_cast<int64_t>(mult.size())), blocks(blocks_) {
    int64_t temb = 4 * base, half = base / 2;
    frequencies = register_buffer("frequencies", torch::exp(torch::arange(half, torch::kFloat) * (-std::log(10000.0) / half)));
    time1 = register_module("time1", nn::Linear(base, temb));
    time2 = register_module("time2", nn::Linear(temb, temb));
    conv_in = register_module("conv_in", nn::Conv2d(nn::Conv2dOptions(in_channels, base, 3).padding(1)));
    auto has_attention = [&](int64_t level) {
      int64_t r = image_size >> level;
      return std::find(attention_resolutions.begin(), attention_resolutions.end(), r) != attention_resolutions.end();
    };
    std::vector<int64_t> skips{base};
    int64_t current = base;
    for (int64_t level = 0; level < levels; ++level) {
      int64_t width = base * mult[level];
      down_res.emplace_back();
      down_attn.emplace_back();
      for (int64_t j = 0; j < blocks; ++j) {
        auto name = "down" + std::to_string(level) + "_" + std::to_string(j);
        down_res.back().push_back(register_module(name + "_res", ResBlock(current, width, temb, groups)));
        if (has_attention(level)) down_attn.back().push_back(register_module(name + "_attn", Attention(width, 1, groups)));
        current = width;
        skips.push_back(current);
      }
      if (level < levels - 1) {
        downsample.push_back(register_module("downsample" + std::to_string(level), nn::Conv2d(nn::Conv2dOptions(current, current, 3).stride(2).padding(1))));
        skips.push_back(current);
      }
    }
    mid1 = register_module("mid1", ResBlock(current, current, temb, groups));
    mid_attn = register_module("mid_attn", Attention(current, 1, groups));
    mid2 = register_module("mid2", ResBlock(current, current, temb, groups));
    for (int64_t level = levels - 1; level >= 0; --level) {
      int64_t width = base * mult[level];
      up_res.emplace_back();
      up_attn.emplace_back();
      for (int64_t j = 0; j <= blocks; ++j) {
        auto name = "up" + std::to_string(level) + "_" + std::to_string(j);
        int64_t skip = skips.back();
        skips.pop_back();
        up_res.back().push_back(register_module(name + "_res", ResBlock(current + skip, width, temb, groups)));
        if (has_attention(level)) up_attn.back().push_back(register_module(name + "_attn", Attention(width, 1, groups)));
        current = width;
      }
      if (level > 0) upsample.push_back(register_module("upsample" + std::to_string(level), nn::Conv2d(nn::Conv2dOptions(current, current, 3).padding(1))));
    }
    norm_out = register_module("norm_out", nn::GroupNorm(groups, current));
    conv_out = register_module("conv_out", nn::Conv2d(nn::Conv2dOptions(current, in_channels, 3).padding(1)));
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t) {
    auto angles = t.unsqueeze(1) * frequencies.unsqueeze(0);
    auto temb = time2(torch::silu(time1(torch::cat({angles.sin(), angles.cos()}, 1))));
    auto h = conv_in(x);
    std::vector<torch::Tensor> skips{h};
    for (int64_t level = 0; level < levels; ++level) {
      for (int64_t j = 0; j < blocks; ++j) {
        h = down_res[level][j]->forward(h, temb);
        if (!down_attn[level].empty()) h = down_attn[level][j]->forward(h);
        skips.push_back(h);
      }
      if (level < levels - 1) {
        h = downsample[level](h);
        skips.push_back(h);
      }
    }
    h = mid2->forward(mid_attn->forward(mid1->forward(h, temb)), temb);
    for (int64_t k = 0; k < levels; ++k) {
      for (int64_t j = 0; j <= blocks; ++j) {
        auto skip = skips.back();
        skips.pop_back();
        h = up_res[k][j]->forward(torch::cat({h, skip}, 1), temb);
        if (!up_attn[k].empty()) h = up_attn[k][j]->forward(h);
      }
      if (k < levels - 1) h = upsample[k](at::upsample_nearest2d(h, {h.size(2) * 2, h.size(3) * 2}));
    }
    return conv_out(torch::silu(norm_out(h)));
  }
};
TORCH_MODULE(UNet);

static double resident_mb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  double kb = -1;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "VmRSS: %lf kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb / 1024.0;
}

int main(int argc, char** argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 20;
  int warmup = argc > 2 ? std::atoi(argv[2]) : 3;
  int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  // "keep": glibc keeps freed memory in its heap, as torch.keep_freed_memory() in the shim; "default": glibc's defaults.
  std::string heap = argc > 4 ? argv[4] : "keep";
  if (heap == "keep") {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    mallopt(M_TOP_PAD, 256 * 1024 * 1024);
  }
  const int64_t batch = 32, size = 28;
  torch::set_num_threads(threads);
  torch::manual_seed(0);

  UNet model(1, size, 32, std::vector<int64_t>{1, 2, 2}, 2, std::vector<int64_t>{14}, 32);
  std::vector<torch::Tensor> params = model->parameters();
  torch::optim::Adam adam(params, torch::optim::AdamOptions(2e-4));
  auto data = torch::rand({batch, 1, size, size}) * 2 - 1;

  double t_forward = 0, t_backward = 0, t_optimizer = 0;
  auto since = [](std::chrono::steady_clock::time_point t0) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto step = [&] {
    auto t0 = std::chrono::steady_clock::now();
    for (auto& p : params) p.mutable_grad().reset();
    auto a = torch::rand({batch});  // ᾱ ~ U(0, 1), t = 1000 (1 − ᾱ)
    auto noise = torch::randn({batch, 1, size, size});
    auto ab = a.reshape({batch, 1, 1, 1});
    auto xt = data * ab.sqrt() + noise * (1 - ab).sqrt();
    auto loss = torch::mse_loss(model->forward(xt, (1 - a) * 1000), noise);
    t_forward += since(t0);
    auto t1 = std::chrono::steady_clock::now();
    loss.backward();
    t_backward += since(t1);
    auto t2 = std::chrono::steady_clock::now();
    adam.step();
    t_optimizer += since(t2);
    return loss.item<double>();
  };

  int64_t count = 0;
  for (auto& p : params) count += p.numel();
  for (int i = 0; i < warmup; ++i) step();
  t_forward = t_backward = t_optimizer = 0;
  auto start = std::chrono::steady_clock::now();
  double loss = 0;
  for (int i = 0; i < steps; ++i) loss = step();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("native  heap=%s params=%lld threads=%d steps=%d loss=%.4f images/s=%.2f rss_mb=%.1f per-step s: forward=%.3f backward=%.3f optimizer=%.3f\n",
              heap.c_str(), static_cast<long long>(count), threads, steps, loss, steps * batch / seconds, resident_mb(),
              t_forward / steps, t_backward / steps, t_optimizer / steps);
  return 0;
}
