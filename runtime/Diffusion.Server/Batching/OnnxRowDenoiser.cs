using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Diffusion.Runtime;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Server.Batching;

/// <summary>
/// Runs an ONNX noise predictor on rows at their own points: the <c>timestep</c> input gets one
/// value per row (<see cref="SchedulerConfig.TimestepValue"/>), and each row's output becomes its
/// x0 estimate at its own point (<c>SchedulerConfig.ToDenoised</c>). Runs on the model's own session
/// (one copy of the weights per served model), holding a reference to it, so disposing the model
/// stops a call in flight with <see cref="ObjectDisposedException"/> and frees the session only once
/// this denoiser is disposed too. A model whose <c>timestep</c> is <c>[1]</c> or a scalar gets one call
/// per distinct timestep; one with a fixed batch size gets padded rows. Only the batcher's loop
/// thread calls it, so its buffers are reused without locks.
/// </summary>
public sealed class OnnxRowDenoiser : IRowDenoiser, IDisposable
{
    private readonly SharedSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly SchedulerConfig _config;
    private readonly TensorSpec _sample, _timestep, _output;
    private readonly TensorSpec? _classLabels;
    private readonly int _sampleSize;
    private readonly int _channels, _height, _width;
    private readonly int? _fixedRows;
    private readonly bool _perRowTimestep;
    private readonly string[] _inputNames, _outputNames;
    private float[] _x = [], _out = [];
    private Float16[] _xHalf = [], _outHalf = [];
    private long[] _labels = [];
    private double[] _times = [];
    private int[] _order = [];
    private float[] _groupX = [], _groupDenoised = [];
    private TimePoint[] _groupPoints = [];
    private long[] _groupLabels = [];
    private int _disposed;

    /// <summary>Evaluates rows of <paramref name="model"/> through its session, on its device.</summary>
    /// <param name="model">The loaded model: its session, inputs, config and shape.</param>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public OnnxRowDenoiser(OnnxDiffusionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _session = model.Session;
        _session.AddReference();
        _config = model.Config;
        _sample = model.SampleInput;
        _timestep = model.TimestepInput;
        _output = model.Output;
        _classLabels = model.ClassLabelsInput;
        (_channels, _height, _width) = (model.SampleShape.Channels, model.SampleShape.Height, model.SampleShape.Width);
        _sampleSize = model.SampleShape.Size;
        _fixedRows = model.FixedBatchSize;
        _perRowTimestep = _timestep.Rank == 1 && _timestep.Dimensions[0] != 1;
        _inputNames = _classLabels is null ? [_sample.Name, _timestep.Name] : [_sample.Name, _timestep.Name, _classLabels.Name];
        _outputNames = [_output.Name];
    }

    /// <inheritdoc />
    public int? MaxRows => _fixedRows;

    /// <inheritdoc />
    public bool TakesClassLabels => _classLabels is not null;

    /// <inheritdoc />
    public int Denoise(ReadOnlySpan<float> x, ReadOnlySpan<TimePoint> points, ReadOnlySpan<long> labels, Span<float> denoised)
    {
        if (_perRowTimestep || AllEqual(points))
        {
            Run(x, points, labels, denoised);
            return 1;
        }
        return RunPerTimestep(x, points, labels, denoised);
    }

    private static bool AllEqual(ReadOnlySpan<TimePoint> points)
    {
        foreach (var p in points)
            if (!p.Equals(points[0])) return false;
        return true;
    }

    // A model with one timestep per call: one call per distinct point, rows gathered and scattered.
    private int RunPerTimestep(ReadOnlySpan<float> x, ReadOnlySpan<TimePoint> points, ReadOnlySpan<long> labels, Span<float> denoised)
    {
        int n = points.Length, calls = 0;
        Grow(ref _order, n);
        for (int i = 0; i < n; i++) _order[i] = i;
        var pointsCopy = points.ToArray();
        Array.Sort(_order, 0, n, Comparer<int>.Create((a, b) => pointsCopy[a].Time.CompareTo(pointsCopy[b].Time)));
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && pointsCopy[_order[end]].Equals(pointsCopy[_order[start]])) end++;
            int rows = end - start;
            Grow(ref _groupX, rows * _sampleSize);
            Grow(ref _groupDenoised, rows * _sampleSize);
            Grow(ref _groupPoints, rows);
            Grow(ref _groupLabels, rows);
            for (int r = 0; r < rows; r++)
            {
                int row = _order[start + r];
                x.Slice(row * _sampleSize, _sampleSize).CopyTo(_groupX.AsSpan(r * _sampleSize));
                _groupPoints[r] = pointsCopy[row];
                if (!labels.IsEmpty) _groupLabels[r] = labels[row];
            }
            Run(_groupX.AsSpan(0, rows * _sampleSize), _groupPoints.AsSpan(0, rows), labels.IsEmpty ? [] : _groupLabels.AsSpan(0, rows),
                _groupDenoised.AsSpan(0, rows * _sampleSize));
            for (int r = 0; r < rows; r++)
                _groupDenoised.AsSpan(r * _sampleSize, _sampleSize).CopyTo(denoised.Slice(_order[start + r] * _sampleSize, _sampleSize));
            calls++;
            start = end;
        }
        return calls;
    }

    private void Run(ReadOnlySpan<float> x, ReadOnlySpan<TimePoint> points, ReadOnlySpan<long> labels, Span<float> denoised)
    {
        int rows = points.Length;
        int batch = _fixedRows ?? rows; // a fixed-batch model gets zero rows after ours
        int length = batch * _sampleSize;
        long[] sampleShape = [batch, _channels, _height, _width];
        var inputs = new List<OrtValue>(3);
        OrtValue? output = null;
        try
        {
            bool half = _sample.ElementType == TensorElementType.Float16;
            if (half)
            {
                Grow(ref _xHalf, length);
                Grow(ref _outHalf, length);
                _xHalf.AsSpan(0, length).Clear();
                TensorPrimitives.ConvertToHalf(x, MemoryMarshal.Cast<Float16, Half>(_xHalf.AsSpan(0, x.Length)));
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _xHalf.AsMemory(0, length), sampleShape));
                output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _outHalf.AsMemory(0, length), sampleShape);
            }
            else
            {
                Grow(ref _x, length);
                Grow(ref _out, length);
                x.CopyTo(_x);
                _x.AsSpan(x.Length, length - x.Length).Clear();
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _x.AsMemory(0, length), sampleShape));
                output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _out.AsMemory(0, length), sampleShape);
            }

            int timesteps = _perRowTimestep ? batch : 1;
            Grow(ref _times, timesteps);
            for (int i = 0; i < timesteps; i++) _times[i] = _config.TimestepValue(points[Math.Min(i, rows - 1)]);
            inputs.Add(Timesteps(timesteps));

            if (_classLabels is not null)
            {
                Grow(ref _labels, batch);
                labels.CopyTo(_labels);
                _labels.AsSpan(rows, batch - rows).Fill(labels.IsEmpty ? 0 : labels[0]);
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _labels.AsMemory(0, batch), [batch]));
            }

            _session.Enter(_runOptions);
            try
            {
                _session.Session.Run(_runOptions, _inputNames, inputs, _outputNames, [output]);
            }
            finally
            {
                _session.Exit(_runOptions);
            }
        }
        catch (OnnxRuntimeException) when (_session.IsClosed)
        {
            throw _session.ClosedDuringCall();
        }
        catch (OnnxRuntimeException e)
        {
            throw new DiffusionModelException($"the model failed to run on a batch of {rows} rows: {e.Message.Split('\n')[0].Trim()}", e);
        }
        finally
        {
            foreach (var v in inputs) v.Dispose();
            output?.Dispose();
        }

        Span<float> raw = _sample.ElementType == TensorElementType.Float16 ? Widen(rows) : _out.AsSpan(0, rows * _sampleSize);
        for (int r = 0; r < rows; r++)
        {
            var slice = (r * _sampleSize, _sampleSize);
            _config.ToDenoised(x.Slice(slice.Item1, slice.Item2), raw.Slice(slice.Item1, slice.Item2), points[r], denoised.Slice(slice.Item1, slice.Item2));
        }
    }

    private Span<float> Widen(int rows)
    {
        int length = rows * _sampleSize;
        Grow(ref _out, length);
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<Float16, Half>(_outHalf.AsSpan(0, length)), _out.AsSpan(0, length));
        return _out.AsSpan(0, length);
    }

    private OrtValue Timesteps(int count)
    {
        long[] shape = _timestep.Rank == 0 ? [] : [count];
        var values = _times.AsSpan(0, count);
        switch (_timestep.ElementType)
        {
            case TensorElementType.Float:
                return OrtValue.CreateTensorValueFromMemory(Convert(values, v => (float)v), shape);
            case TensorElementType.Float16:
                return OrtValue.CreateTensorValueFromMemory(Convert(values, v => (Float16)(float)v), shape);
            case TensorElementType.Double:
                return OrtValue.CreateTensorValueFromMemory(values.ToArray(), shape);
            case TensorElementType.Int32:
                return OrtValue.CreateTensorValueFromMemory(Convert(values, v => (int)Math.Round(v)), shape);
            default:
                return OrtValue.CreateTensorValueFromMemory(Convert(values, v => (long)Math.Round(v)), shape);
        }
    }

    private static T[] Convert<T>(ReadOnlySpan<double> values, Func<double, T> convert)
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = convert(values[i]);
        return result;
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _runOptions.Dispose();
        _session.Release();
    }
}
