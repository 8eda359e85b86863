using System.Diagnostics;
using System.Globalization;

namespace ApprovalEngine.Benchmarks;

/// <summary>Plain single-threaded loops: steps per second and bytes allocated per step for each scenario.</summary>
internal static class Throughput
{
    public static void Run(TimeSpan duration)
    {
        var bench = new StepBenchmarks();
        bench.Setup();
        Measure("Baseline: clone an instance state", duration, () => { bench.CloneState(); return 6; });
        Measure("WorkflowEngine: start + 5 completions", duration, () => { bench.Engine(); return 6; });
        Measure("InMemoryWorkflowHost: start + 5 completions", duration, () => { bench.Host().GetAwaiter().GetResult(); return 6; });
    }

    private static void Measure(string name, TimeSpan duration, Func<int> operation)
    {
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < TimeSpan.FromSeconds(1)) operation();
        long steps = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration) steps += operation();
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-45} {steps / watch.Elapsed.TotalSeconds,12:N0} steps/s {allocated / (double)steps,10:N0} B/step"));
    }
}
