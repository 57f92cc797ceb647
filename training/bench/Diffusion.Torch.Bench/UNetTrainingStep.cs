using Diffusion.Torch.Optim;
using Diffusion.Training.Networks;

namespace Diffusion.Torch.Bench;

/// <summary>One DDPM training step on fixed random "images", identical to unet_bench.cpp's step.</summary>
internal sealed class UNetTrainingStep : IDisposable
{
    public static readonly UNetConfig Config = new()
    {
        InChannels = 1, ImageSize = 28, BaseChannels = 32, ChannelMultipliers = [1, 2, 2], ResBlocksPerLevel = 2,
        AttentionResolutions = [14], AttentionHeads = 1, NormGroups = 32,
    };

    private readonly UNet model;
    private readonly Adam adam;
    private readonly Tensor data;
    private readonly long batch;

    public UNetTrainingStep(long batch)
    {
        this.batch = batch;
        model = new UNet(Config);
        adam = new Adam(model.parameters(), lr: 2e-4);
        using var scope = torch.NewDisposeScope();
        data = (torch.rand(batch, 1, 28, 28) * 2 - 1).MoveToOuterDisposeScope();
        data.DetachFromDisposeScope();
    }

    public long ParameterCount => model.parameters().Sum(p => p.numel());

    /// <summary>Seconds spent in forward (with data preparation), backward and the optimizer since the last reset.</summary>
    public (double Forward, double Backward, double Optimizer) Phases => (forward.Elapsed.TotalSeconds, backward.Elapsed.TotalSeconds, optimizer.Elapsed.TotalSeconds);

    private readonly System.Diagnostics.Stopwatch forward = new(), backward = new(), optimizer = new();

    public void ResetPhases()
    {
        forward.Reset();
        backward.Reset();
        optimizer.Reset();
    }

    public double Run()
    {
        forward.Start();
        using var scope = torch.NewDisposeScope();
        adam.zero_grad();
        var a = torch.rand(batch); // ᾱ ~ U(0, 1), t = 1000 (1 − ᾱ)
        var noise = torch.randn(batch, 1, 28, 28);
        var ab = a.reshape(batch, 1, 1, 1);
        var xt = data * ab.sqrt() + noise * (1 - ab).sqrt();
        var loss = torch.nn.functional.mse_loss(model.forward(xt, (1 - a) * 1000), noise);
        forward.Stop();
        backward.Start();
        loss.backward();
        backward.Stop();
        optimizer.Start();
        adam.step();
        optimizer.Stop();
        return loss.item<double>();
    }

    public void Dispose()
    {
        adam.Dispose();
        model.Dispose();
        data.Dispose();
    }
}
