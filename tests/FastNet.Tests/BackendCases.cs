using FastNet.Kernels;
using Xunit;

namespace FastNet.Tests;

/// <summary>Test data that enumerates every backend that can run here, so each test runs on all of them.</summary>
public static class BackendCases
{
    /// <summary>Backend names for [MemberData].</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (BackendDescriptor descriptor in Backends.Available)
        {
            data.Add(descriptor.Name);
        }
        return data;
    }
}
