"""Writes the GELU goldens of GeluGoldenTests.cs: erf, erfc, GELU and GELU' at a few points, from Python's
math.erf/math.erfc (the C library's, accurate to about an ulp of float64), independent of FastNet's own erf."""
import math

POINTS = [-12.0, -6.0, -3.5, -2.0, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 1.4142135623730951, 2.0, 3.5, 6.0]


def gelu(z):
    # z·Φ(z), Φ(z) = ½·erfc(−z/√2): keeps its relative accuracy in the negative tail
    return z * 0.5 * math.erfc(-z / math.sqrt(2))


def gelu_derivative(z):
    return 0.5 * math.erfc(-z / math.sqrt(2)) + z * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


for z in POINTS:
    x = z / math.sqrt(2)
    print(f"        ({z!r}, {math.erf(x)!r}, {math.erfc(x)!r}, {gelu(z)!r}, {gelu_derivative(z)!r}),")
