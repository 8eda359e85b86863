using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace ApprovalEngine.Benchmarks;

internal static class Program
{
    /// <summary>
    /// Runs the step benchmarks. <c>--quick</c> uses BenchmarkDotNet's ShortRun job (3 warm-ups, 3 iterations) so CI
    /// can run it in well under a minute; <c>--throughput</c> instead runs each scenario in a plain loop on one thread
    /// and prints steps/s and bytes allocated per step (a sanity check without BenchmarkDotNet); any other arguments go to BenchmarkDotNet (e.g. <c>--filter *Engine*</c>).
    /// </summary>
    private static void Main(string[] args)
    {
        if (args.Contains("--throughput"))
        {
            Throughput.Run(TimeSpan.FromSeconds(args.Contains("--quick") ? 2 : 10));
            return;
        }
        var quick = args.Contains("--quick");
        var rest = args.Where(a => a != "--quick").ToArray();
        var config = DefaultConfig.Instance.AddJob(quick ? Job.ShortRun : Job.Default);
        if (rest.Length == 0) rest = ["--filter", "*"];
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
    }
}
