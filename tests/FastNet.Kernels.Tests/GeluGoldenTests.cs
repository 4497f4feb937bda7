using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// erf, GELU and GELU' against values from an independent source (Python's math.erf and math.erfc, written by
/// Goldens/gelu_goldens.py), and the leaky ReLU's and tanh-GELU's textbook values: the reference to its documented
/// error bounds, every backend under the tolerance rule.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class GeluGoldenTests
{
    // (z, erf(z/√2), erfc(z/√2), GELU(z), GELU'(z)), printed by Goldens/gelu_goldens.py
    private static readonly (double Z, double Erf, double Erfc, double Gelu, double Derivative)[] Goldens =
    [
        (-12.0, -1.0, 2.0, -2.1317785344932424e-32, -2.5578956616748956e-31),
        (-6.0, -0.9999999980268247, 1.9999999980268246, -5.919525870226207e-09, -3.5468709453902015e-08),
        (-3.5, -0.9995347418419289, 1.999534741841929, -0.0008142017766243376, -0.0028217603536246356),
        (-2.0, -0.9544997361036416, 1.9544997361036416, -0.04550026389635844, -0.0852318010781969),
        (-1.0, -0.6826894921370859, 1.6826894921370859, -0.15865525393145707, -0.08331547058768629),
        (-0.5, -0.3829249225480262, 1.3829249225480262, -0.15426876936299344, 0.13250487534383712),
        (-0.001, -0.0007978844278221252, 1.000797884427822, -0.000499601057786089, 0.4992021157051586),
        (0.0, 0.0, 1.0, 0.0, 0.5),
        (0.001, 0.0007978844278221252, 0.9992021155721779, 0.000500398942213911, 0.5007978842948414),
        (0.5, 0.3829249225480262, 0.6170750774519738, 0.34573123063700656, 0.8674951246561629),
        (1.0, 0.6826894921370859, 0.31731050786291415, 0.8413447460685429, 1.0833154705876864),
        (1.4142135623730951, 0.8427007929497149, 0.15729920705028513, 1.3029862263925718, 1.128904145185155),
        (2.0, 0.9544997361036416, 0.04550026389635844, 1.9544997361036416, 1.085231801078197),
        (3.5, 0.9995347418419289, 0.0004652581580710501, 3.4991857982233756, 1.0028217603536247),
        (6.0, 0.9999999980268247, 1.9731752900754024e-09, 5.999999994080474, 1.0000000354687093),
    ];

    // the reference's documented bounds: erf 2e-15, erfc 3e-11 (relative), plus the golden's own ulp
    private const double ErfBound = 4e-15, ErfcBound = 3e-11;

    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    [Fact]
    public void ReferenceErfAndGeluMatchTheGoldensToTheirStatedBounds()
    {
        foreach ((double z, double erf, double erfc, double gelu, double derivative) in Goldens)
        {
            double x = z / Math.Sqrt(2);
            AssertRelative(erf, ReferenceBackend.Erf(x), ErfBound, $"erf({x})");
            AssertRelative(erfc, ReferenceBackend.Erfc(x), ErfcBound, $"erfc({x})");
            AssertRelative(gelu, ReferenceBackend.Activate(Activation.Gelu, z), ErfcBound, $"GELU({z})");
            // Φ(z) + z·φ(z) cancels where GELU' crosses zero (z ≈ −0.75): relative to its terms' magnitudes
            double terms = Tolerance.PreActivationDerivativeScale(Activation.Gelu, z);
            Assert.True(Math.Abs(ReferenceBackend.DerivativeAt(Activation.Gelu, z) - derivative) <= ErfcBound * terms,
                $"GELU'({z}): {ReferenceBackend.DerivativeAt(Activation.Gelu, z):R}, golden {derivative:R}");
        }
    }

    [Fact]
    public void ErfIsOddAndErfcIsItsComplementAcrossTheSeriesAndFractionBoundary()
    {
        foreach (double x in new[] { 0.25, 2.999999, 3.0, 3.000001, 4.5 })
        {
            Assert.Equal(-ReferenceBackend.Erf(x), ReferenceBackend.Erf(-x));
            Assert.True(Math.Abs(ReferenceBackend.Erf(x) + ReferenceBackend.Erfc(x) - 1) <= 2e-16, $"x = {x}");
        }
    }

    [Fact]
    public void LeakyReluAndTanhGeluAreTheTextbookFormulas()
    {
        Activation leaky = Activation.LeakyRelu(0.01f);
        Assert.Equal(2.5, ReferenceBackend.Activate(leaky, 2.5));
        Assert.Equal(0.01f * -2.5, ReferenceBackend.Activate(leaky, -2.5));
        Assert.Equal(1, ReferenceBackend.Derivative(leaky, 0.3));
        Assert.Equal(0.01f, ReferenceBackend.Derivative(leaky, -0.3));
        // ½·1·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906082768 (Hendrycks and Gimpel's approximation at z = 1)
        Assert.Equal(0.8411919906082768, ReferenceBackend.Activate(Activation.GeluTanh, 1), 14);
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.LeakyRelu(-0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.LeakyRelu(1));
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void EveryBackendComputesGeluAndItsDerivativeAtTheGoldens(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        int n = Goldens.Length;
        float[] z = [.. Goldens.Select(g => (float)g.Z)];
        // one input of weight 1 and no bias, so Z is each golden's z exactly
        using FloatBuffer x = Host.Upload(backend, z), w = Host.Upload(backend, [1f]);
        using FloatBuffer a = backend.Allocate(n), pre = backend.Allocate(n), delta = backend.Allocate(n);
        using FloatBuffer dW = backend.Allocate(1);
        backend.DenseForward(x.All, w.All, BufferView.Empty, n, 1, 1, Activation.Gelu, a.All, pre.All);
        backend.Fill(1, delta.All);
        backend.DenseBackward(x.All, w.All, a.All, n, 1, 1, Activation.Gelu, delta.All, dW.All, BufferView.Empty,
            BufferView.Empty, pre.All);
        float[] A = Host.Download(backend, a.All), Z = Host.Download(backend, pre.All), D = Host.Download(backend, delta.All);
        for (int i = 0; i < n; i++)
        {
            (double g, double gelu, double derivative) = (z[i], Goldens[i].Gelu, Goldens[i].Derivative);
            Assert.Equal(z[i], Z[i]);
            Assert.True(Tolerance.Within(A[i], gelu, 1, Activation.Gelu.MaxSlope * Math.Abs(g) + Math.Abs(gelu)),
                $"{name}: GELU({g}) = {A[i]:R}, golden {gelu:R}");
            Assert.True(Tolerance.Within(D[i], derivative, 1, Tolerance.PreActivationDerivativeScale(Activation.Gelu, g)),
                $"{name}: GELU'({g}) = {D[i]:R}, golden {derivative:R}");
        }
    }

    private static void AssertRelative(double expected, double actual, double bound, string what) =>
        Assert.True(Math.Abs(actual - expected) <= bound * Math.Abs(expected),
            $"{what}: {actual:R}, golden {expected:R}, relative {Math.Abs(actual - expected) / Math.Abs(expected):E2}");
}
