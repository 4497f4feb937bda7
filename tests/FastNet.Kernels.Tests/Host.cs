namespace FastNet.Kernels.Tests;

/// <summary>Moving host arrays in and out of a backend, and seeded test data.</summary>
public static class Host
{
    /// <summary>A buffer holding <paramref name="values"/>.</summary>
    public static FloatBuffer Upload(IBackend backend, float[] values)
    {
        FloatBuffer buffer = backend.Allocate(values.Length);
        backend.Upload(values, buffer.All);
        return buffer;
    }

    /// <summary>The contents of <paramref name="view"/>.</summary>
    public static float[] Download(IBackend backend, BufferView view)
    {
        float[] values = new float[view.Length];
        backend.Download(view, values);
        return values;
    }

    /// <summary>Uniform values in [−scale, scale).</summary>
    public static float[] Random(Random random, int length, double scale = 1)
    {
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }
        return values;
    }
}
