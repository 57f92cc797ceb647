namespace Diffusion.Torch.Distributed;

/// <summary>How a collective combines the ranks' tensors, element by element (c10d's <c>ReduceOp</c>; codes shared with the shim).</summary>
public enum ReduceOp
{
    /// <summary>The sum over ranks.</summary>
    Sum = 0,

    /// <summary>The largest value over ranks.</summary>
    Max = 1,

    /// <summary>The smallest value over ranks.</summary>
    Min = 2,
}
