using FastNet.Cli;
using FastNet.Distributed;

if (Communicators.LaunchedRanks(Environment.GetEnvironmentVariable) is null)
{
    return FastNetCli.Run(args, Console.Out, Console.Error);
}
// A rank of an MPI job: its standard output is written by a thread of its own, so a launcher that stops reading it
// (mpirun ending the job) cannot hold training before the step where it stops and saves (QueuedWriter).
using var output = new QueuedWriter(Console.OpenStandardOutput());
Console.SetOut(output);
return FastNetCli.Run(args, Console.Out, Console.Error);
