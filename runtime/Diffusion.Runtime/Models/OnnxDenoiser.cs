using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Schedules;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Runtime.Models;

/// <summary>
/// Runs an ONNX model for one batch size without allocating per call: its inputs and output are
/// OrtValues over buffers allocated once and bound once (an <see cref="OrtIoBinding"/>); each call
/// writes the sample and the timestep into them, runs, and converts the output to x0.
/// Cancellation sets <see cref="RunOptions.Terminate"/> so a running call stops too.
/// </summary>
internal sealed class OnnxDenoiser : IDenoiser
{
    private readonly SharedSession _session;
    private readonly SchedulerConfig _config;
    private readonly CancellationToken _cancellation;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly List<OrtValue> _values = [];
    private readonly CancellationTokenRegistration _registration;
    private readonly float[]? _sampleFloat, _outputFloat;
    private readonly Float16[]? _sampleHalf, _outputHalf;
    private readonly float[] _outputScratch;
    private readonly Array _timestep;
    private readonly int _sampleSize;
    private bool _disposed;

    /// <summary>Binds buffers for <paramref name="batchSize"/> samples; the model has checked the batch and the labels.</summary>
    public OnnxDenoiser(SharedSession session, OnnxDiffusionModel model, int batchSize, long[]? labels, CancellationToken cancellation)
    {
        session.AddReference(); // released in Dispose: the session outlives this denoiser's binding and buffers
        _session = session;
        _config = model.Config;
        _cancellation = cancellation;
        var s = model.SampleShape;
        long[] sampleShape = [batchSize, s.Channels, s.Height, s.Width];
        int length = batchSize * s.Size;
        _sampleSize = s.Size;
        _outputScratch = new float[length];
        _binding = session.Session.CreateIoBinding();
        if (model.SampleInput.ElementType == TensorElementType.Float16)
        {
            _sampleHalf = new Float16[length];
            _outputHalf = new Float16[length];
            Bind(model.SampleInput.Name, OrtValue.CreateTensorValueFromMemory(_sampleHalf, sampleShape), input: true);
            Bind(model.Output.Name, OrtValue.CreateTensorValueFromMemory(_outputHalf, sampleShape), input: false);
        }
        else
        {
            _sampleFloat = new float[length];
            _outputFloat = _outputScratch;
            Bind(model.SampleInput.Name, OrtValue.CreateTensorValueFromMemory(_sampleFloat, sampleShape), input: true);
            Bind(model.Output.Name, OrtValue.CreateTensorValueFromMemory(_outputFloat, sampleShape), input: false);
        }

        var timestepSpec = model.TimestepInput;
        int timestepLength = timestepSpec.Rank == 0 || timestepSpec.Dimensions[0] == 1 ? 1 : batchSize;
        long[] timestepShape = timestepSpec.Rank == 0 ? [] : [timestepLength];
        (_timestep, var timestepValue) = timestepSpec.ElementType switch
        {
            TensorElementType.Float => Create<float>(timestepLength, timestepShape),
            TensorElementType.Float16 => Create<Float16>(timestepLength, timestepShape),
            TensorElementType.Double => Create<double>(timestepLength, timestepShape),
            TensorElementType.Int32 => Create<int>(timestepLength, timestepShape),
            _ => Create<long>(timestepLength, timestepShape),
        };
        Bind(timestepSpec.Name, timestepValue, input: true);

        if (labels is not null && model.ClassLabelsInput is { } labelSpec)
            Bind(labelSpec.Name, OrtValue.CreateTensorValueFromMemory(labels, [labels.Length]), input: true);
        _registration = cancellation.Register(() => _runOptions.Terminate = true);
    }

    public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
    {
        if (_sampleHalf is not null) TensorPrimitives.ConvertToHalf(x, MemoryMarshal.Cast<Float16, Half>(_sampleHalf.AsSpan()));
        else x.CopyTo(_sampleFloat);
        WriteTimestep(_config.TimestepValue(point));
        _session.Enter(_runOptions);
        try
        {
            _session.Session.RunWithBinding(_runOptions, _binding);
        }
        catch (OnnxRuntimeException) when (_session.IsClosed)
        {
            throw _session.ClosedDuringCall();
        }
        catch (OnnxRuntimeException) when (_cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException(_cancellation);
        }
        catch (OnnxRuntimeException e)
        {
            throw new DiffusionModelException($"the model failed to run at time {point.Time:G6}: {e.Message.Split('\n')[0].Trim()}", e);
        }
        finally
        {
            _session.Exit(_runOptions);
        }
        if (_outputHalf is not null) TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<Float16, Half>(_outputHalf.AsSpan()), _outputScratch);
        _config.ToDenoised(x, _outputScratch, point, denoised, _sampleSize);
    }

    private void WriteTimestep(double value)
    {
        switch (_timestep)
        {
            case float[] f: f.AsSpan().Fill((float)value); break;
            case Float16[] h: h.AsSpan().Fill((Float16)(float)value); break;
            case double[] d: d.AsSpan().Fill(value); break;
            case int[] i: i.AsSpan().Fill((int)Math.Round(value)); break;
            case long[] l: l.AsSpan().Fill((long)Math.Round(value)); break;
        }
    }

    private static (Array, OrtValue) Create<T>(int length, long[] shape) where T : unmanaged
    {
        var buffer = new T[length];
        return (buffer, OrtValue.CreateTensorValueFromMemory(buffer, shape));
    }

    private void Bind(string name, OrtValue value, bool input)
    {
        _values.Add(value);
        if (input) _binding.BindInput(name, value);
        else _binding.BindOutput(name, value);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _registration.Dispose();
        _binding.Dispose();
        foreach (var v in _values) v.Dispose();
        _runOptions.Dispose();
        _session.Release();
    }
}
