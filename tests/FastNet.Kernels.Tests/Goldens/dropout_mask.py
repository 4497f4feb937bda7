"""Independent values of FastNet's dropout generator (kernels/FastNet.Kernels/DropoutMask.cs), for DropoutTests.

SplitMix64 (Vigna, splitmix64.c): the key (seed, step, layer) is folded into a stream, element e takes the (e+1)-th
output of SplitMix64 seeded with that stream, and is kept when its top 24 bits are below round((1 - p) * 2**24).
Run: python3 dropout_mask.py
"""
M = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def stream(seed, step, layer):
    s = mix64((seed + GAMMA) & M)
    s = mix64(((s ^ (step & M)) + GAMMA) & M)
    return mix64(((s ^ layer) + GAMMA) & M)


def bits(s, element):
    return mix64((s + (element + 1) * GAMMA) & M)


def keeps(s, element, rate):
    return (bits(s, element) >> 40) < round((1 - rate) * (1 << 24))


if __name__ == "__main__":
    print("splitmix64(1234567):", [bits(1234567, e) for e in range(5)])
    s = stream(42, 7, 1)
    print("stream(42, 7, 1):", hex(s))
    print("bits(stream, 1000..1002):", [hex(bits(s, e)) for e in range(1000, 1003)])
    print("keeps p=0.5, elements 0..31:", "".join("1" if keeps(s, e, 0.5) else "0" for e in range(32)))
