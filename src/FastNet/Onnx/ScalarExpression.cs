using System.Globalization;

namespace FastNet.Onnx;

/// <summary>
/// A function of one variable z in a canonical form, so that two exporters' ways of writing the same formula compare
/// equal: nested sums and products are flattened, their constant parts folded into one number, and their operands
/// sorted. Division by a constant is a product with its reciprocal, a whole power a repeated factor. Distributing a
/// product over a sum is not attempted: that is another way of computing, with other rounding.
/// </summary>
internal abstract record ScalarExpression
{
    /// <summary>The structure without its constants: the order in which operands of a sum or product sort.</summary>
    public abstract string Shape { get; }

    /// <summary>Variables, constants, functions, sums and products in the expression, each counted once per
    /// occurrence: its size written out.</summary>
    public abstract int Size { get; }

    public static ScalarExpression Z { get; } = new Variable();

    public static ScalarExpression Number(double value) => new Constant(value);

    public static ScalarExpression Erf(ScalarExpression x) => new Function("erf", x);

    public static ScalarExpression Tanh(ScalarExpression x) => new Function("tanh", x);

    public static ScalarExpression Add(ScalarExpression a, ScalarExpression b)
    {
        double constant = 0;
        var terms = new List<ScalarExpression>();
        foreach (ScalarExpression operand in new[] { a, b })
        {
            switch (operand)
            {
                case Constant c: constant += c.Value; break;
                case Sum s: constant += s.Offset; terms.AddRange(s.Terms); break;
                default: terms.Add(operand); break;
            }
        }
        return terms.Count == 0 ? new Constant(constant)
            : terms.Count == 1 && constant == 0 ? terms[0]
            : new Sum(constant, Sorted(terms));
    }

    public static ScalarExpression Subtract(ScalarExpression a, ScalarExpression b) =>
        Add(a, Multiply(Number(-1), b));

    public static ScalarExpression Multiply(ScalarExpression a, ScalarExpression b)
    {
        double coefficient = 1;
        var factors = new List<ScalarExpression>();
        foreach (ScalarExpression operand in new[] { a, b })
        {
            switch (operand)
            {
                case Constant c: coefficient *= c.Value; break;
                case Product p: coefficient *= p.Coefficient; factors.AddRange(p.Factors); break;
                default: factors.Add(operand); break;
            }
        }
        return factors.Count == 0 ? new Constant(coefficient)
            : factors.Count == 1 && coefficient == 1 ? factors[0]
            : new Product(coefficient, Sorted(factors));
    }

    /// <summary>a / b for a constant b; null when b is not a nonzero constant.</summary>
    public static ScalarExpression? Divide(ScalarExpression a, ScalarExpression b) =>
        b is Constant { Value: not 0 } c ? Multiply(a, Number(1 / c.Value)) : null;

    /// <summary>a to a whole power from 1 to 4; null for any other exponent.</summary>
    public static ScalarExpression? Power(ScalarExpression a, ScalarExpression exponent)
    {
        if (exponent is not Constant { Value: 1 or 2 or 3 or 4 } c)
        {
            return null;
        }
        ScalarExpression result = a;
        for (int i = 1; i < (int)c.Value; i++)
        {
            result = Multiply(result, a);
        }
        return result;
    }

    /// <summary>
    /// Whether both are the same formula with the same constants. Constants agree when they differ by at most 1e-6
    /// relative: files store them as float32 (rounding 2^-24 ≈ 6e-8 relative) or float64, and folding a few of them
    /// (a reciprocal, a product) adds a few such roundings; the constants of different functions differ far more.
    /// </summary>
    public static bool Same(ScalarExpression x, ScalarExpression y) => (x, y) switch
    {
        (Variable, Variable) => true,
        (Constant a, Constant b) => Close(a.Value, b.Value),
        (Function f, Function g) => f.Name == g.Name && Same(f.Argument, g.Argument),
        (Sum a, Sum b) => Close(a.Offset, b.Offset) && SameOperands(a.Terms, b.Terms),
        (Product a, Product b) => Close(a.Coefficient, b.Coefficient) && SameOperands(a.Factors, b.Factors),
        _ => false,
    };

    private static bool SameOperands(IReadOnlyList<ScalarExpression> a, IReadOnlyList<ScalarExpression> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => Same(pair.First, pair.Second));

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-6 * Math.Max(Math.Abs(a), Math.Abs(b));

    private static List<ScalarExpression> Sorted(List<ScalarExpression> operands)
    {
        operands.Sort((p, q) => string.CompareOrdinal(p.Shape, q.Shape));
        return operands;
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private sealed record Variable : ScalarExpression
    {
        public override string Shape => "z";

        public override int Size => 1;

        public override string ToString() => Shape;
    }

    private sealed record Constant(double Value) : ScalarExpression
    {
        public override string Shape => "c";

        public override int Size => 1;

        public override string ToString() => Format(Value);
    }

    private sealed record Function(string Name, ScalarExpression Argument) : ScalarExpression
    {
        public override string Shape => $"{Name}({Argument.Shape})";

        public override int Size { get; } = 1 + Argument.Size;

        public override string ToString() => $"{Name}({Argument})";
    }

    private sealed record Sum(double Offset, IReadOnlyList<ScalarExpression> Terms) : ScalarExpression
    {
        public override string Shape => $"({string.Join(" + ", Terms.Select(t => t.Shape))} + c)";

        public override int Size { get; } = 1 + Terms.Sum(t => t.Size);

        public override string ToString() =>
            $"({string.Join(" + ", Terms)}{(Offset == 0 ? "" : $" + {Format(Offset)}")})";
    }

    private sealed record Product(double Coefficient, IReadOnlyList<ScalarExpression> Factors) : ScalarExpression
    {
        public override string Shape => $"c·{string.Join("·", Factors.Select(f => f.Shape))}";

        public override int Size { get; } = 1 + Factors.Sum(f => f.Size);

        public override string ToString() =>
            $"{(Coefficient == 1 ? "" : $"{Format(Coefficient)}·")}{string.Join("·", Factors)}";
    }
}
