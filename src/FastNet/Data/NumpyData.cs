using System.Globalization;
using System.IO.Compression;

namespace FastNet.Data;

/// <summary>
/// Datasets from NumPy files, the usual way Python users hand data to another tool: features from a <c>.npy</c> file
/// ([n, d], or [n, ...] flattened per row, e.g. [n, 28, 28] images), labels from another (integer [n]: class
/// labels; float [n] or [n, k]: real-valued targets); or both from one <c>.npz</c> archive (<c>numpy.savez</c> or
/// <c>savez_compressed</c>) holding arrays named <c>x</c> and <c>y</c> (or <c>X</c>/<c>features</c> and
/// <c>Y</c>/<c>labels</c>/<c>targets</c>).
/// </summary>
public static class NumpyData
{
    private static readonly string[] FeatureNames = ["x", "X", "features", "data"];
    private static readonly string[] LabelNames = ["y", "Y", "labels", "targets"];

    // Deflate's largest expansion: a 258-byte match per 2 bits of compressed data, in the limit.
    private const long MaxDeflateRatio = 1032;

    /// <summary>True when <paramref name="path"/> names a .npy or .npz file.</summary>
    public static bool IsNumpyFile(string path) =>
        path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads features from <paramref name="data"/> (.npy or .npz) and labels or targets from
    /// <paramref name="labels"/> (a .npy file; null for an .npz, which holds both).</summary>
    /// <param name="data">The features file, or an .npz archive with features and labels.</param>
    /// <param name="labels">The labels file for a .npy features file.</param>
    /// <param name="classCount">Number of classes for integer labels (null: the largest label + 1).</param>
    /// <exception cref="DataFormatException">A file is missing or malformed, the arrays do not agree, or a label is
    /// not a class; the message names the file and what was expected.</exception>
    public static Dataset Load(string data, string? labels, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        NpyArray x, y;
        if (data.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            if (labels is not null)
            {
                throw new DataFormatException(labels, $"an .npz archive ({data}) holds its labels itself: give no labels file");
            }
            (x, y) = ReadArchive(data);
        }
        else
        {
            x = NpyReader.ReadFile(data);
            y = NpyReader.ReadFile(labels ?? throw new DataFormatException(data,
                "a .npy file holds the features only: give the labels or targets as a second .npy file (--labels)"));
        }
        return Build(x, y, classCount, Path.GetFileName(data));
    }

    private static Dataset Build(NpyArray x, NpyArray y, int? classCount, string name)
    {
        if (x.Shape.Count == 0 || x.Rows == 0 || x.Columns == 0)
        {
            throw new DataFormatException(x.Source, $"shape ({string.Join(", ", x.Shape)}): expected [examples, features] with both above 0");
        }
        if (y.Shape.Count == 0 || y.Rows != x.Rows)
        {
            throw new DataFormatException(y.Source, $"shape ({string.Join(", ", y.Shape)}): expected {x.Rows} rows, one per row of {x.Source}");
        }
        if (!y.IsInteger)
        {
            if (y.Columns == 0)
            {
                throw new DataFormatException(y.Source, $"shape ({string.Join(", ", y.Shape)}): expected at least one target column");
            }
            return WithFeatures(x, name, y.Columns, y.Values);
        }
        if (y.Shape.Count != 1)
        {
            throw new DataFormatException(y.Source,
                $"integer labels of shape ({string.Join(", ", y.Shape)}): expected one class label per row, shape ({x.Rows},); use a float array for real-valued targets");
        }
        int[] classes = new int[y.Rows];
        float[] labels = y.Values;
        int max = 0;
        for (int r = 0; r < classes.Length; r++)
        {
            float label = labels[r];
            if (label < 0 || label >= (classCount ?? CsvLoader.MaxInferredClasses))
            {
                string range = classCount is int k ? $"0..{k - 1} ({k} classes)" : $"0..{CsvLoader.MaxInferredClasses - 1}";
                throw new DataFormatException(y.Source, string.Create(CultureInfo.InvariantCulture,
                    $"label {label} of row {r} is out of range: expected {range}"), record: r + 1);
            }
            classes[r] = (int)label;
            max = Math.Max(max, classes[r]);
        }
        int count = classCount ?? max + 1;
        return WithFeatures(x, name, count, Dataset.OneHot(classes, count), count, classes);
    }

    // x's features with the targets: uint8 images stay bytes, held once in their storage type and converted as rows
    // are read
    private static Dataset WithFeatures(NpyArray x, string name, int targetCount, float[] targets, int classCount = 0,
        int[]? labels = null) => x.Bytes is byte[] bytes
        ? new Dataset(name, x.Columns, bytes, targetCount, targets, classCount, labels)
        : new Dataset(name, x.Columns, x.Values, targetCount, targets, classCount, labels);

    /// <summary>The largest .npz archive read: as large as the largest .npy file.</summary>
    public const long MaxArchiveBytes = NpyReader.MaxBytes;

    private static (NpyArray X, NpyArray Y) ReadArchive(string path)
    {
        // Opened as every loader opens its files: a directory, a pipe or a device is refused by name, and no read goes
        // past the limit or the size the file reports. A pipe would otherwise be copied whole into memory by the zip
        // reader, which needs to seek.
        GuardedStream file = GuardedFile.OpenRead(path, MaxArchiveBytes,
            (problem, inner) => new DataFormatException(path, problem, innerException: inner), decompress: false);
        ZipArchive archive;
        try
        {
            if (!file.CanSeek)
            {
                throw new DataFormatException(path, "an .npz archive must be a regular file, not a pipe");
            }
            archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
            // The central directory is read on first use; reading it here makes its corruption this error.
            _ = archive.Entries.Count;
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new DataFormatException(path, "not an .npz archive (not a valid zip file): " + e.Message, innerException: e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        using (archive)
        {
            return (ReadMember(archive, path, file.Length, FeatureNames, "features"),
                ReadMember(archive, path, file.Length, LabelNames, "labels or targets"));
        }
    }

    private static NpyArray ReadMember(ZipArchive archive, string path, long archiveBytes, string[] names, string what)
    {
        ZipArchiveEntry entry = names.Select(n => archive.GetEntry(n + ".npy")).FirstOrDefault(e => e is not null)
            ?? throw new DataFormatException(path, $"no {what} array: expected one named {string.Join(", ", names)}; "
                + $"the archive holds {string.Join(", ", archive.Entries.Select(e => Path.GetFileNameWithoutExtension(e.FullName)))}");
        string source = $"{path}:{entry.FullName}";
        // A zip may hold one name twice: numpy.load reads the last, the zip reader here the first. Neither is surely
        // what was meant, so the archive is refused rather than read differently from NumPy.
        if (archive.Entries.Count(e => e.FullName == entry.FullName) > 1)
        {
            throw new DataFormatException(source, "the archive holds two members of this name; expected one "
                + "(numpy.load would read the last)");
        }
        // The member's size is what the archive's directory claims, and the reader sizes its array by it: deflate
        // expands at most 1032-fold, so a claim past that for this archive's bytes is refused before any allocation.
        if (entry.Length > archiveBytes * MaxDeflateRatio)
        {
            throw new DataFormatException(source, $"the archive declares {entry.Length} bytes for this member, more than "
                + $"its {archiveBytes} bytes can hold (deflate expands at most {MaxDeflateRatio}-fold)");
        }
        try
        {
            using var stream = new Crc32ReadStream(entry.Open());
            // The entry's declared size bounds what is read; the reader checks the shape against it.
            NpyArray array = NpyReader.Read(stream, entry.Length, source);
            stream.ReadToEnd();
            // a flipped bit in a stored (uncompressed) member reads as another number: the archive's CRC-32 tells
            if (stream.Crc != entry.Crc32)
            {
                throw new DataFormatException(source, $"CRC-32 mismatch: the member reads as {stream.Crc:x8}, the archive "
                    + $"records {entry.Crc32:x8}; the archive is corrupt");
            }
            return array;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new DataFormatException(source, "corrupt or truncated archive member: " + e.Message, innerException: e);
        }
    }
}
