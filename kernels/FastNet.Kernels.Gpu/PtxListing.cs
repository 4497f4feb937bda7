using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// Compiles every kernel of the backend to PTX without a CUDA device, with the settings the backend uses (O1,
/// algorithms enabled). It proves the kernels compile for CUDA on machines without one, and gives the text to
/// inspect (for instance that no shared-memory load of a tile moved past the barrier that protects it).
/// </summary>
public static class PtxListing
{
    /// <summary>
    /// Kernel name → PTX assembly, for the given architecture and PTX version (sm_80 and PTX ISA 7.8 by default: the
    /// kernels need nothing newer, and 7.8 is the newest that CUDA 11.8's assembler, Debian's, accepts; a driver
    /// compiles it for any later GPU).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Compile(CudaArchitecture? architecture = null,
        CudaInstructionSet? instructionSet = null)
    {
        CudaArchitecture arch = architecture ?? CudaArchitecture.SM_80;
        using var context = Context.Create(builder => builder.Optimize(OptimizationLevel.O1).EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch,
            instructionSet ?? CudaInstructionSet.ISA_78, null);
        var listing = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, MethodInfo method, bool explicitlyGrouped, KernelSpecialization bounds) in Kernels())
        {
            EntryPointDescription entry = explicitlyGrouped
                ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
                : EntryPointDescription.FromImplicitlyGroupedKernel(method);
            var kernel = (PTXCompiledKernel)backend.Compile(entry, bounds);
            listing[name] = kernel.PTXAssembly;
        }
        return listing;
    }

    private static IEnumerable<(string Name, MethodInfo Method, bool ExplicitlyGrouped, KernelSpecialization Bounds)>
        Kernels()
    {
        // each class with the launch bounds GpuKernels loads its kernels with
        (Type Type, KernelSpecialization Bounds)[] kernelTypes =
        [
            (typeof(GemmKernels), GemmKernels.LaunchBounds),
            (typeof(GemmLargeKernels), GemmLargeKernels.LaunchBounds),
            (typeof(GemmWideKernels), GemmWideKernels.LaunchBounds),
            (typeof(ElementwiseKernels), KernelSpecialization.Empty),
            (typeof(RowKernels), KernelSpecialization.Empty),
        ];
        foreach ((Type type, KernelSpecialization bounds) in kernelTypes)
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
            {
                if (method.ReturnType != typeof(void))
                {
                    continue;
                }
                bool implicitlyGrouped = method.GetParameters() is [{ ParameterType: var first }, ..]
                    && first == typeof(Index1D);
                if (!method.IsGenericMethodDefinition)
                {
                    yield return ($"{type.Name}.{method.Name}", method, !implicitlyGrouped, bounds);
                    continue;
                }
                // a kernel generic over the activation (the forward GEMMs): one listing per activation, as loaded
                foreach (ActivationKind activation in ActivationFunctions.Fused)
                {
                    yield return ($"{type.Name}.{method.Name}.{activation}",
                        method.MakeGenericMethod(ActivationFunctions.For(activation)), !implicitlyGrouped, bounds);
                }
            }
        }
    }
}
