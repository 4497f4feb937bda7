using System.Globalization;
using System.Text;
using FastNet.Benchmarking;

namespace FastNet.Cli.Reporting;

/// <summary>The table of <c>fastnet bench --ops</c>: per workload and host backend, each kind of op's calls and time
/// per training step, its share of the step and, for the dense ops, its rate against the machine's FMA peak.</summary>
internal static class OpsReport
{
    public static string Table(IReadOnlyList<OpBreakdown> breakdowns, double peak)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        foreach (OpBreakdown b in breakdowns)
        {
            double step = b.StepTime.TotalMicroseconds, ops = 0;
            text.AppendLine();
            text.AppendLine(string.Create(c, $"ops of {b.Workload.Name} on {b.Backend}, per training step "
                + $"({b.Steps:N0} steps timed, each op timed alone):"));
            text.AppendLine(string.Create(c,
                $"{"op",-56} {"calls",6} {"µs",9} {"share",7} {"GFLOP/s",8} {"% peak",7}"));
            foreach (OpTiming op in b.Ops)
            {
                double calls = (double)op.Calls / b.Steps, micros = op.Time.TotalMicroseconds / b.Steps;
                ops += micros;
                string rate = "", ofPeak = "";
                if (op.FlopsPerCall > 0)
                {
                    double gflops = op.FlopsPerCall * (double)op.Calls / op.Time.TotalSeconds / 1e9;
                    (rate, ofPeak) = (gflops.ToString("F1", c), (100 * gflops / peak).ToString("F1", c) + "%");
                }
                string line = string.Create(c,
                    $"{op.Op,-56} {calls,6:0.##} {micros,9:F2} {100 * micros / step,6:F1}% {rate,8} {ofPeak,7}");
                text.AppendLine(line.TrimEnd());
            }
            text.AppendLine(string.Create(c, $"{"all ops",-56} {"",6} {ops,9:F2} {100 * ops / step,6:F1}%"));
            string between = string.Create(c, $"the step (between the ops: {step - ops:F2} µs)");
            text.AppendLine(string.Create(c, $"{between,-56} {"",6} {step,9:F2} {100.0,6:F1}%"));
        }
        text.AppendLine("calls and µs per training step; share = of the step; GFLOP/s of a dense op's products");
        text.AppendLine("  (forward X·W, backward Xᵀ·dZ and, with dX, dZ·Wᵀ) over its whole time, its other work included;");
        text.AppendLine("  % peak = of the FMA peak");
        return text.ToString();
    }
}
