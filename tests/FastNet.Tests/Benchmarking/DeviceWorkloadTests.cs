using FastNet.Benchmarking;
using FastNet.Kernels;
using FastNet.Kernels.Gpu;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>
/// What <c>fastnet bench</c> reports for a device backend besides speed (the GPU backend on ILGPU's CPU accelerator):
/// its device memory and the kernels one training step launches, which is what bounds small steps on a GPU.
/// Not in the resident-memory collection: the CPU accelerator's worker threads exit after it is disposed, and the
/// stacks they give back then lowered a later baseline-plus-peak check of that collection (it failed about one run
/// in three when this ran just before it).
/// </summary>
public class DeviceWorkloadTests
{
    [Fact]
    public void LaunchesPerStepAreCountedForEachKindOfStep()
    {
        using var gpu = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        // per-example SGD: forward and fused backward of each layer, and the loss; the example is read in place
        var perExample = new Workload("one", [20, 16, 4], Activation.Sigmoid, LossKind.HalfSquaredError, OptimizerKind.Sgd, 1);
        WorkloadResult one = WorkloadTimer.Run(gpu, perExample, repeats: 1, secondsPerRepeat: 0.01);
        Assert.Equal(2 * 2 + 1, one.LaunchesPerStep);
        Assert.True(one.DeviceBytes > 0);

        // a batch: two gathers, two forward products, the loss, the output layer's activation gradient and two
        // products, the first layer's activation gradient and weight product, one optimizer pass
        var batch = new Workload("eight", [20, 16, 4], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Momentum, 8);
        Assert.Equal(2 + 2 + 1 + 3 + 2 + 1, WorkloadTimer.Run(gpu, batch, repeats: 1, secondsPerRepeat: 0.01).LaunchesPerStep);

        foreach (string name in new[] { "reference", "simd" })
        {
            using IBackend host = Backends.Create(name);
            WorkloadResult onHost = WorkloadTimer.Run(host, perExample, repeats: 1, secondsPerRepeat: 0.01);
            Assert.Null(onHost.LaunchesPerStep);
            Assert.Null(onHost.DeviceBytes);
            Assert.Equal(0, onHost.AllocatedBytesPerStep); // what AllocationTests require, as the benchmark reports it
        }
    }
}
