using System.Diagnostics.CodeAnalysis;
using ApprovalEngine.Workflows.Activities.BuiltIn;

namespace ApprovalEngine.Workflows.Activities;

/// <summary>The activity types a host offers: the built-ins plus its domain activities.</summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, IActivity> _activities = new(StringComparer.Ordinal);

    public ActivityRegistry Register(IActivity activity)
    {
        if (!_activities.TryAdd(activity.Descriptor.Type, activity))
        {
            throw new InvalidOperationException($"Activity type '{activity.Descriptor.Type}' is registered twice.");
        }
        return this;
    }

    public bool TryGet(string type, [NotNullWhen(true)] out IActivity? activity) => _activities.TryGetValue(type, out activity);

    /// <summary>The cron parser of this host (start triggers are validated with it); null when none is configured.</summary>
    public ICronSchedule? Cron { get; private set; }

    public IEnumerable<ActivityDescriptor> Descriptors => _activities.Values.Select(a => a.Descriptor).OrderBy(d => d.Category).ThenBy(d => d.Type);

    /// <summary>A registry with every built-in activity type.</summary>
    public static ActivityRegistry CreateDefault(ICronSchedule? cron = null) => new ActivityRegistry { Cron = cron }
        .Register(new StartActivity())
        .Register(new EndActivity())
        .Register(new UserTaskActivity())
        .Register(new DecisionActivity())
        .Register(new SwitchActivity())
        .Register(new SetVariablesActivity())
        .Register(new SetStatusActivity())
        .Register(new DelayActivity())
        .Register(new TimerActivity())
        .Register(new WaitUntilActivity())
        .Register(new CronActivity(cron ?? new UnsupportedCronSchedule()))
        .Register(new WaitForEventActivity())
        .Register(new CallWorkflowActivity())
        .Register(new ForkActivity())
        .Register(new JoinActivity());
}

/// <summary>Computes the next occurrence of a cron expression; the scheduling project implements it with Quartz.</summary>
public interface ICronSchedule
{
    /// <summary>Null when the expression is invalid (with <paramref name="error"/>) or never fires again.</summary>
    DateTimeOffset? Next(string cron, DateTimeOffset after, out string? error);

    /// <summary>As above, in <paramref name="timeZone"/> (an IANA or Windows id; null: UTC).</summary>
    DateTimeOffset? Next(string cron, DateTimeOffset after, string? timeZone, out string? error)
    {
        if (timeZone is null) return Next(cron, after, out error);
        error = "Time zones need a cron scheduler that supports them.";
        return null;
    }
}

internal sealed class UnsupportedCronSchedule : ICronSchedule
{
    public DateTimeOffset? Next(string cron, DateTimeOffset after, out string? error)
    {
        error = "No cron scheduler is configured in this host.";
        return null;
    }
}
