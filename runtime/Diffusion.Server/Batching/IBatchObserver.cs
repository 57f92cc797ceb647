namespace Diffusion.Server.Batching;

/// <summary>What a <see cref="StepBatcher"/> reports after each tick, for statistics and metrics.</summary>
public interface IBatchObserver
{
    /// <summary>One tick ran: <paramref name="rows"/> rows in <paramref name="modelCalls"/> model calls taking <paramref name="elapsed"/>.</summary>
    void TickCompleted(int rows, int modelCalls, TimeSpan elapsed);
}
