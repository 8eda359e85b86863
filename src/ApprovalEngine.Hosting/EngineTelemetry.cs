using System.Collections;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ApprovalEngine.Persistence;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Hosting;

/// <summary>
/// The engine's traces and metrics, declared here in one place (README "Observability"). Only BCL types
/// (<see cref="ActivitySource"/>, <see cref="Meter"/>): the engine host needs no OpenTelemetry package; the server
/// subscribes to <see cref="Name"/> and chooses the exporters.
/// </summary>
/// <remarks>
/// Labels are bounded and carry no customer data: definition ids, step kinds, activity types and departments only —
/// never instance ids, correlation ids, accounts or amounts (those go to spans and log scopes, which are per request).
/// </remarks>
public sealed class EngineMetrics : IDisposable
{
    /// <summary>The name of the engine's <see cref="Meter"/> and <see cref="ActivitySource"/>.</summary>
    public const string Name = "ApprovalEngine";

    /// <summary>One span per step attempt (a transaction), with the instance, definition and activity as tags.</summary>
    public static readonly ActivitySource Tracing = new(Name);

    public const string DefinitionIdTag = "approvalengine.definition.id";
    public const string DefinitionVersionTag = "approvalengine.definition.version";
    public const string InstanceIdTag = "approvalengine.instance.id";
    public const string ActivityIdTag = "approvalengine.activity.id";
    public const string StepKindTag = "approvalengine.step.kind";
    public const string ActivityTypeTag = "approvalengine.activity.type";
    public const string DepartmentTag = "approvalengine.department";

    // Seconds; the SDK's default boundaries are made for milliseconds.
    private static readonly double[] StepBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] LagBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _steps;
    private readonly Histogram<double> _stepDuration;
    private readonly Counter<long> _staleRetries;
    private readonly Counter<long> _timersDue;
    private readonly Counter<long> _timersFired;
    private readonly Histogram<double> _timerLag;
    private readonly Counter<long> _jobsFailed;

    /// <param name="meters">The host's factory (one meter per host, so in-process test servers do not share one); null outside a host.</param>
    public EngineMetrics(IMeterFactory? meters, EngineGauges gauges, IWebhookBacklog webhooks)
    {
        ArgumentNullException.ThrowIfNull(gauges);
        ArgumentNullException.ThrowIfNull(webhooks);
        _ownsMeter = meters is null;
        _meter = meters?.Create(Name) ?? new Meter(Name);
        _steps = _meter.CreateCounter<long>("approvalengine.steps", "{step}",
            "Steps committed (each step of a commit, chained sub-workflow steps included), by definition and step kind.");
        _stepDuration = _meter.CreateHistogram("approvalengine.step.duration", "s",
            "Time from opening a step's transaction to its commit, outside calls run after it excluded.", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = StepBuckets });
        _staleRetries = _meter.CreateCounter<long>("approvalengine.step.stale_conflicts", "{conflict}",
            "Steps that lost the instance's version claim to a concurrent step; outcome retried (computed again on fresh state) or gave_up.");
        _timersDue = _meter.CreateCounter<long>("approvalengine.timers.due", "{timer}",
            "Due timers this node's poller took.");
        _timersFired = _meter.CreateCounter<long>("approvalengine.timers.fired", "{timer}",
            "Timers whose step committed (a timer taken twice, or whose wait was over, fires nothing).");
        _timerLag = _meter.CreateHistogram("approvalengine.timer.lag", "s",
            "Fire time minus due time of each fired timer.", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        _jobsFailed = _meter.CreateCounter<long>("approvalengine.jobs.failed", "{attempt}",
            "Failed outside-call attempts, by activity type; final=true when the retries ran out and an incident was opened.");
        _meter.CreateObservableGauge("approvalengine.incidents.open", () => gauges.Current().IncidentsOpen, "{incident}",
            "Incidents waiting for an operator.");
        _meter.CreateObservableGauge("approvalengine.tasks.open", () => PerDepartment(gauges.Current(), d => d.Open), "{task}",
            "Open tasks per department (none: tasks without one).");
        _meter.CreateObservableGauge("approvalengine.tasks.overdue", () => PerDepartment(gauges.Current(), d => d.Overdue), "{task}",
            "Open tasks past their due time per department.");
        _meter.CreateObservableGauge("approvalengine.webhooks.backlog", () => webhooks.Backlog(), "{delivery}",
            "Webhook deliveries written and not yet delivered.");
    }

    private static IEnumerable<Measurement<long>> PerDepartment(GaugeSnapshot snapshot, Func<DepartmentTasks, long> value) =>
        snapshot.Departments.Select(d => new Measurement<long>(value(d), new KeyValuePair<string, object?>(DepartmentTag, d.Department)));

    public void StepsCommitted(IReadOnlyList<StepResult> saved, TimeSpan elapsed)
    {
        if (saved.Count == 0) return;
        foreach (var step in saved)
        {
            _steps.Add(1, new(DefinitionIdTag, step.State.DefinitionId), new(StepKindTag, step.Command?.Kind ?? "unknown"));
        }
        var first = saved[0];
        _stepDuration.Record(elapsed.TotalSeconds, new(DefinitionIdTag, first.State.DefinitionId), new(StepKindTag, first.Command?.Kind ?? "unknown"));
    }

    public void StaleConflict(bool retried) => _staleRetries.Add(1, new KeyValuePair<string, object?>("outcome", retried ? "retried" : "gave_up"));

    public void TimersDue(int count)
    {
        if (count > 0) _timersDue.Add(count);
    }

    public void TimerFired(TimeSpan lag)
    {
        _timersFired.Add(1);
        _timerLag.Record(Math.Max(0, lag.TotalSeconds));
    }

    public void JobFailed(string activityType, bool final) =>
        _jobsFailed.Add(1, new(ActivityTypeTag, activityType), new("final", final ? "true" : "false"));

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}

/// <summary>
/// Pending webhook deliveries, for the <c>approvalengine.webhooks.backlog</c> gauge. Webhooks register their own;
/// until then the backlog is 0. Called on every scrape: keep it cheap (cache like <see cref="EngineGauges"/>).
/// </summary>
public interface IWebhookBacklog
{
    long Backlog();
}

/// <summary>No webhooks: nothing is waiting.</summary>
public sealed class NoWebhookBacklog : IWebhookBacklog
{
    public long Backlog() => 0;
}

public sealed record DepartmentTasks(string Department, long Open, long Overdue);

public sealed record GaugeSnapshot(long IncidentsOpen, IReadOnlyList<DepartmentTasks> Departments)
{
    public static readonly GaugeSnapshot Empty = new(0, []);
}

/// <summary>
/// The database-backed gauges. A scrape reads all of them at once: one grouped query over open tasks and one count of
/// open incidents, cached for <see cref="EngineHostOptions.MetricsCacheSeconds"/> so that several scrapers (or several
/// gauges of one scrape) cost one round of queries.
/// </summary>
public sealed class EngineGauges(IServiceScopeFactory scopes, IOptions<EngineHostOptions> options, TimeProvider clock, ILogger<EngineGauges> logger)
{
    private readonly Lock _gate = new();
    private GaugeSnapshot _snapshot = GaugeSnapshot.Empty;
    private long _takenAt = long.MinValue;

    public GaugeSnapshot Current()
    {
        // The gauges' callbacks are synchronous (the scrape collects them in turn); one reader queries, the others wait for its answer.
        lock (_gate)
        {
            var age = _takenAt == long.MinValue ? TimeSpan.MaxValue : clock.GetElapsedTime(_takenAt);
            if (age < TimeSpan.FromSeconds(Math.Max(0, options.Value.MetricsCacheSeconds))) return _snapshot;
            try
            {
                _snapshot = Query();
            }
            catch (Exception ex)
            {
                // A database away must not fail the whole scrape: the gauges report what was last seen.
                logger.LogWarning(ex, "Reading the task and incident gauges failed; reporting the last values.");
            }
            _takenAt = clock.GetTimestamp();
            return _snapshot;
        }
    }

    private GaugeSnapshot Query()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var now = clock.GetUtcNow();
        // The inbox's own rule for overdue (flagged by its SLA timer, or past its due time).
        var departments = db.Tasks.AsNoTracking()
            .Where(t => t.Status == "Open")
            .GroupBy(t => t.Department)
            .Select(g => new { g.Key, Open = g.LongCount(), Overdue = g.LongCount(t => t.Overdue || (t.DueAt != null && t.DueAt < now)) })
            .ToList();
        var incidents = db.Incidents.AsNoTracking().LongCount(i => i.Status == IncidentStatuses.Open);
        return new GaugeSnapshot(incidents, [.. departments.Select(d => new DepartmentTasks(d.Key ?? "none", d.Open, d.Overdue)).OrderBy(d => d.Department, StringComparer.Ordinal)]);
    }
}

/// <summary>
/// The logging scope of a step: its instance and correlation id, filled in as soon as the step has loaded (or made)
/// its instance, so every line the step logs — in the engine, the unit of work, observers, the outside calls after
/// the commit — carries them. Read by the console formatters when a line is written, not when the scope opens.
/// </summary>
internal sealed class StepLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private static readonly AsyncLocal<StepLogScope?> CurrentScope = new();

    public Guid? InstanceId { get; private set; }
    public string? CorrelationId { get; private set; }
    public string? DefinitionId { get; private set; }

    /// <summary>The scope of the step running on this flow, if any.</summary>
    public static StepLogScope? Current => CurrentScope.Value;

    public static IDisposable? Begin(ILogger logger, out StepLogScope scope)
    {
        var outer = CurrentScope.Value;
        scope = new StepLogScope();
        CurrentScope.Value = scope;
        var logged = logger.BeginScope(scope);
        return new Restore(outer, logged);
    }

    /// <summary>The first instance a step touches is the step's (later ones are its children or parent).</summary>
    public void Describe(InstanceState state)
    {
        if (InstanceId is not null) return;
        InstanceId = state.Id;
        CorrelationId = state.CorrelationId;
        DefinitionId = state.DefinitionId;
    }

    public void Describe(Guid instanceId) => InstanceId ??= instanceId;

    private KeyValuePair<string, object?>[] Items() =>
    [
        new("InstanceId", InstanceId),
        new("CorrelationId", CorrelationId),
        new("DefinitionId", DefinitionId),
    ];

    public KeyValuePair<string, object?> this[int index] => Items()[index];

    public int Count => 3;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Items()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Instance {InstanceId} Correlation {CorrelationId}";

    private sealed class Restore(StepLogScope? outer, IDisposable? logged) : IDisposable
    {
        public void Dispose()
        {
            logged?.Dispose();
            CurrentScope.Value = outer;
        }
    }
}
