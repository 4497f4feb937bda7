namespace FastNet.Data;

/// <summary>
/// A CSV file's feature values as they are parsed, kept in fixed-size blocks so the whole never has to be copied to
/// grow (a growing list holds up to twice its values, then a third copy when it becomes one array). While every value
/// is a whole number from 0 to 255, as pixel data is, the values are stored as bytes, a quarter of float32's size;
/// the first other value turns the blocks into floats once. A byte converts back to exactly the float it was read as.
/// </summary>
internal sealed class CsvFeatureValues
{
    private const int BlockLength = 1 << 16;

    private readonly List<byte[]> _byteBlocks = [];
    private readonly List<float[]> _floatBlocks = [];
    private bool _bytes = true;

    /// <summary>Number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>True while every value added is a whole number from 0 to 255 (stored as a byte).</summary>
    public bool AreBytes => _bytes;

    /// <summary>Appends one value.</summary>
    public void Add(float value)
    {
        int offset = (int)(Count % BlockLength);
        if (_bytes && !IsByte(value))
        {
            Widen();
        }
        if (_bytes)
        {
            if (offset == 0)
            {
                _byteBlocks.Add(new byte[BlockLength]);
            }
            _byteBlocks[^1][offset] = (byte)value;
        }
        else
        {
            if (offset == 0)
            {
                _floatBlocks.Add(new float[BlockLength]);
            }
            _floatBlocks[^1][offset] = value;
        }
        Count++;
    }

    /// <summary>The values as bytes; only while <see cref="AreBytes"/>. The blocks are released as they are copied.</summary>
    public byte[] TakeBytes()
    {
        if (!_bytes)
        {
            throw new InvalidOperationException("the values are not all bytes");
        }
        return Concatenate(_byteBlocks);
    }

    /// <summary>The values as floats. The blocks are released as they are copied.</summary>
    public float[] TakeFloats()
    {
        Widen();
        return Concatenate(_floatBlocks);
    }

    // the blocks' values as one array, each block released once copied
    private T[] Concatenate<T>(List<T[]> blocks)
    {
        T[] all = new T[Count];
        for (int b = 0; b < blocks.Count; b++)
        {
            long start = (long)b * BlockLength;
            blocks[b].AsSpan(0, (int)Math.Min(BlockLength, Count - start)).CopyTo(all.AsSpan((int)start));
            blocks[b] = [];
        }
        return all;
    }

    // -0 is not a byte: stored as 0 it would come back as +0, another float
    private static bool IsByte(float value) => value is >= 0 and <= 255 && value == MathF.Floor(value) && !float.IsNegative(value);

    private void Widen()
    {
        if (!_bytes)
        {
            return;
        }
        foreach (byte[] block in _byteBlocks)
        {
            float[] floats = new float[BlockLength];
            for (int i = 0; i < block.Length; i++)
            {
                floats[i] = block[i];
            }
            _floatBlocks.Add(floats);
        }
        _byteBlocks.Clear();
        _bytes = false;
    }
}
