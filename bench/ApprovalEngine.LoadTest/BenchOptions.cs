using System.Globalization;

namespace ApprovalEngine.LoadTest;

/// <summary>Durations and sizes of one run; <c>--quick</c> picks smaller defaults that finish in about five minutes.</summary>
internal sealed class BenchOptions
{
    public bool Quick { get; private set; }

    /// <summary>Measured seconds per load phase (each connection level, each scenario).</summary>
    public int DurationSeconds { get; private set; }

    public int PgbenchSeconds { get; private set; }

    public int PgbenchScale { get; private set; } = 10;

    public int PgbenchClients { get; private set; } = 16;

    public IReadOnlyList<int> CompletionConnections { get; private set; } = [1, 16, 64];

    public int FlowConnections { get; private set; } = 16;

    public int StartConnections { get; private set; } = 16;

    public int LowLoadConnections { get; private set; } = 4;

    /// <summary>Open CS tasks (WD requests at New) prepared before each task-completion phase; a phase that uses them all up ends early.</summary>
    public int TaskPool { get; private set; }

    /// <summary>Stored instances after the bulk load of scenario 4.</summary>
    public int Instances { get; private set; }

    /// <summary>Published versions of wd-request in scenario 4's large case.</summary>
    public int Versions { get; private set; } = 20;

    /// <summary>Share of the bulk-loaded instances cloned from open ones (their tasks stay in the inbox).</summary>
    public double OpenShare { get; private set; } = 0.005;

    /// <summary>Timers per batch in scenario 5 (one batch on one node, one on two nodes).</summary>
    public int Timers { get; private set; }

    /// <summary>Longest measured window per timer phase; a backlog still left then is measured over the whole window.</summary>
    public int TimerWindowSeconds { get; private set; }

    public IReadOnlySet<int> Scenarios { get; private set; } = new HashSet<int> { 1, 2, 3, 4, 5 };

    public bool Build { get; private set; } = true;

    public string? ResultsDirectory { get; private set; }

    /// <summary>Another source tree to build and run the server from (e.g. an exported older commit for a before/after pair).</summary>
    public string? SourceDirectory { get; private set; }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions { Quick = args.Contains("--quick") };
        o.DurationSeconds = o.Quick ? 8 : 30;
        o.PgbenchSeconds = o.Quick ? 10 : 30;
        o.TaskPool = o.Quick ? 500 : 3000;
        o.Instances = o.Quick ? 100_000 : 1_000_000;
        o.Timers = o.Quick ? 1_000 : 5_000;
        o.TimerWindowSeconds = o.Quick ? 30 : 90;
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--quick": break;
                case "--duration": o.DurationSeconds = NextInt(); break;
                case "--pgbench-seconds": o.PgbenchSeconds = NextInt(); break;
                case "--pgbench-scale": o.PgbenchScale = NextInt(); break;
                case "--pgbench-clients": o.PgbenchClients = NextInt(); break;
                case "--connections": o.CompletionConnections = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--flow-connections": o.FlowConnections = NextInt(); break;
                case "--start-connections": o.StartConnections = NextInt(); break;
                case "--low-connections": o.LowLoadConnections = NextInt(); break;
                case "--task-pool": o.TaskPool = NextInt(); break;
                case "--instances": o.Instances = NextInt(); break;
                case "--versions": o.Versions = NextInt(); break;
                case "--open-share": o.OpenShare = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--timers": o.Timers = NextInt(); break;
                case "--timer-window": o.TimerWindowSeconds = NextInt(); break;
                case "--scenarios": o.Scenarios = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToHashSet(); break;
                case "--no-build": o.Build = false; break;
                case "--results": o.ResultsDirectory = Next(); break;
                case "--source": o.SourceDirectory = Path.GetFullPath(Next()); break;
                case "--help" or "-h": throw new HelpRequestedException();
                default: throw new ArgumentException($"Unknown option {args[i]}. Try --help.");
            }
        }
        return o;
    }

    public const string Help = """
        ApprovalEngine HTTP benchmark (issue 10). Starts a throwaway PostgreSQL 15 (fsync on), runs pgbench as the
        baseline, starts the server in Release and drives it over HTTP.

          --quick                 small sizes and short phases (about 5 minutes)
          --duration S            seconds per measured phase (default 30, quick 8)
          --pgbench-seconds S     pgbench run time (default 30, quick 10)
          --pgbench-scale N       pgbench -i -s N (default 10)   --pgbench-clients N (default 16)
          --connections 1,16,64   connection levels of scenario 1
          --flow-connections N    scenario 2 (default 16)   --start-connections N  scenario 3 (default 16)
          --low-connections N     scenario 4 (default 4)
          --task-pool N           WD requests prepared per completion phase (default 3000, quick 500)
          --instances N           stored instances after scenario 4's bulk load (default 1000000, quick 100000)
          --versions N            published wd-request versions in scenario 4's large case (default 20)
          --open-share F          share of bulk-loaded clones that stay open (default 0.005)
          --timers N              timers per batch in scenario 5 (default 5000, quick 1000)
          --timer-window S        longest measured window per timer phase (default 90, quick 30)
          --scenarios 1,2,3,4,5   which scenarios to run
          --no-build              use the server already built in Release
          --results DIR           where the Markdown goes (default bench/results)
          --source DIR            build and run the server from another source tree (a checkout or `git archive`
                                  export of another commit, holding ApprovalEngine.sln); default: this one
        """;
}

internal sealed class HelpRequestedException : Exception
{
    public HelpRequestedException() : base("help")
    {
    }
}
