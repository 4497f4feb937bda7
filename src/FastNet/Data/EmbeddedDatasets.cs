using System.IO.Compression;

namespace FastNet.Data;

/// <summary>Datasets shipped inside the FastNet assembly.</summary>
public static class EmbeddedDatasets
{
    /// <summary>Resource name of the 8×8 digits CSV (gzip).</summary>
    public const string DigitsResource = "FastNet.Data.digits.csv.gz";

    /// <summary>MD5 of the decompressed digits CSV.</summary>
    public const string DigitsMd5 = "a0339c30a8a5312a1b6f9e5c719dcce5";

    /// <summary>
    /// The 8×8 handwritten digits (from scikit-learn, BSD-3-Clause): 1797 examples of 64 pixel values in 0..16 (not
    /// scaled; divide by 16 for [0, 1]) and 10 classes. The content is checked against <see cref="DigitsMd5"/>.
    /// </summary>
    /// <exception cref="DataFormatException">The resource is missing, not valid gzip, or its checksum differs: the
    /// build is broken.</exception>
    public static Dataset Digits() => Digits(10);

    /// <summary>
    /// The digits as <see cref="Digits()"/>, labelled with <paramref name="classCount"/> classes (0..classCount−1), as
    /// MNIST is read with a class count: a count above 10 adds outputs no example has, one below 10 is refused at the
    /// first label outside it.
    /// </summary>
    /// <exception cref="DataFormatException">As for <see cref="Digits()"/>; or a label is not below
    /// <paramref name="classCount"/>.</exception>
    public static Dataset Digits(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        byte[] csv = ReadResource(DigitsResource);
        string md5 = Checksums.Md5Hex(csv);
        if (md5 != DigitsMd5)
        {
            throw new DataFormatException(Source, $"corrupted: MD5 of the content is {md5}, expected {DigitsMd5}");
        }
        using var reader = new StreamReader(new MemoryStream(csv));
        return CsvLoader.Read(reader, "digits", new CsvOptions { Header = CsvHeader.Absent, ClassCount = classCount });
    }

    private const string Source = "embedded " + DigitsResource;

    private static byte[] ReadResource(string resource)
    {
        using Stream stream = typeof(EmbeddedDatasets).Assembly.GetManifestResourceStream(resource)
            ?? throw new DataFormatException(Source, "the resource is missing from the FastNet assembly");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        try
        {
            gzip.CopyTo(memory);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(Source, "corrupt gzip data: " + e.Message, innerException: e);
        }
        return memory.ToArray();
    }
}
