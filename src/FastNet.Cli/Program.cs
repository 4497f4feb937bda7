using FastNet.Cli;
using FastNet.Distributed;
using Microsoft.Win32.SafeHandles;

if (!StandardOutput.IsWritable())
{
    Console.Error.WriteLine("fastnet: error: standard output is closed; fastnet prints its results there: expected it "
        + "open for writing (redirect it to a file or /dev/null instead of closing it)");
    return FastNetCli.Failure;
}
if (Communicators.LaunchedRanks(Environment.GetEnvironmentVariable) is null)
{
    return FastNetCli.Run(args, Console.Out, Console.Error);
}
// A rank of an MPI job: its standard output is written by a thread of its own, so a launcher that stops reading it
// (mpirun ending the job) cannot hold training before the step where it stops and saves (QueuedWriter). The thread
// writes to file descriptor 1 itself: .NET's console stream locks Console.Out while it writes, so a write blocked in
// the full terminal would block the next Console.Out.WriteLine too. Without TERM .NET writes no terminal set-up
// codes: after the SIGCONT that mpirun sends first, it would write them to the full terminal before the next line on
// standard error (the "interrupted" line) and block there.
Environment.SetEnvironmentVariable("TERM", null);
using var stdout = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
using var output = new QueuedWriter(stdout);
Console.SetOut(output);
return FastNetCli.Run(args, Console.Out, Console.Error);
