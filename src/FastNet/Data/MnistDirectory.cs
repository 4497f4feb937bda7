namespace FastNet.Data;

/// <summary>
/// A directory holding the four MNIST-style IDX files (MNIST, Fashion-MNIST): train and t10k images and labels,
/// each raw or gzip, named <c>train-images-idx3-ubyte</c>, <c>train-images-idx3-ubyte.gz</c> or
/// <c>train-images.idx3-ubyte</c> (and likewise for the others).
/// </summary>
public static class MnistDirectory
{
    /// <summary>Canonical name of the training images file.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>Canonical name of the training labels file.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>Canonical name of the test images file.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>Canonical name of the test labels file.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The four canonical names, in the order train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>The names a file with canonical name <paramref name="canonical"/> may have, in order of preference.</summary>
    public static IReadOnlyList<string> Candidates(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        string dotted = canonical.Replace("-idx", ".idx", StringComparison.Ordinal);
        return [canonical, canonical + ".gz", dotted, dotted + ".gz"];
    }

    /// <summary>The path of the file with canonical name <paramref name="canonical"/> in
    /// <paramref name="directory"/>, or null when none of its <see cref="Candidates"/> exists.</summary>
    public static string? Find(string directory, string canonical) =>
        Candidates(canonical).Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);

    /// <summary>Loads the training set (train files) and the test set (t10k files), pixels 0..255 unscaled
    /// (divide by 255 with <see cref="DivideScaling"/>). There is no validation set; split one off the training set.</summary>
    /// <exception cref="DataFormatException">The directory or a file is missing, or a file is bad.</exception>
    public static TrainTestSplit Load(string directory, int classCount = 10, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new DataFormatException(directory, "directory not found");
        }
        name ??= NameOf(directory);
        Dataset train = IdxReader.Load(Require(directory, TrainImages), Require(directory, TrainLabels), classCount, name + " (train)");
        Dataset test = IdxReader.Load(Require(directory, TestImages), Require(directory, TestLabels), classCount, name + " (test)");
        if (test.FeatureCount != train.FeatureCount)
        {
            throw new DataFormatException(Require(directory, TestImages),
                $"{test.FeatureCount} pixels per image, but the training images have {train.FeatureCount}");
        }
        return new TrainTestSplit(train, null, test);
    }

    /// <summary>The name of the data in <paramref name="directory"/> when none is given: the directory's own.</summary>
    public static string NameOf(string directory) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));

    /// <summary>The training and test images that the directory's images files declare in their headers, read without
    /// the images; null when a file is missing or its header is bad (<see cref="Load"/> then says what is wrong).</summary>
    public static (int Train, int Test)? DeclaredCounts(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        try
        {
            return Find(directory, TrainImages) is string train && Find(directory, TestImages) is string test
                ? (IdxReader.DeclaredImages(train), IdxReader.DeclaredImages(test))
                : null;
        }
        catch (DataFormatException)
        {
            return null;
        }
    }

    private static string Require(string directory, string canonical) =>
        Find(directory, canonical) ?? throw new DataFormatException(Path.Combine(directory, canonical),
            $"file not found (also looked for {string.Join(", ", Candidates(canonical).Skip(1))})");
}
