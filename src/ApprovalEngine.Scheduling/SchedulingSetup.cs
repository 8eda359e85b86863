using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace ApprovalEngine.Scheduling;

public static class SchedulingSetup
{
    /// <summary>Prefix of Quartz's tables (qrtz_triggers, …), the same in the store and in the V002 script.</summary>
    public const string TablePrefix = "qrtz_";

    private const int SqliteQuartzBusyTimeoutSeconds = 2;

    /// <summary>
    /// Quartz with the ADO.NET job store in the application's database: clustered on PostgreSQL (several servers,
    /// each trigger fires once), single-node on SQLite (Quartz refuses clustering there). Since ADR 8 no step writes a
    /// trigger: timers and job runs are due rows fired by the engine host's pollers. Quartz parses cron expressions,
    /// runs cluster-wide schedules and drains the per-timer triggers earlier releases stored.
    /// </summary>
    public static IServiceCollection AddWorkflowScheduling(this IServiceCollection services, bool postgres, string connectionString, TimeProvider clock, string instanceName = "approval-engine")
    {
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = instanceName;
                o.GenerateInstanceId = true;
                // Triggers scheduled by another node are picked up within this time at the latest.
                o.IdleWaitTime = TimeSpan.FromSeconds(2);
            });
            q.UseTimeProvider(clock);
            q.UsePersistentStore(s =>
            {
                if (postgres)
                {
                    s.UsePostgres(NpgsqlFactory.Instance, connectionString);
                    s.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(10));
                }
                else
                {
                    // Quartz's own connections share SQLite's single writer with the steps: keep their busy timeout short,
                    // so a Quartz write that meets a step's write waits seconds, not the default 30 s.
                    var quartzConnection = new SqliteConnectionStringBuilder(connectionString);
                    if (quartzConnection.DefaultTimeout > SqliteQuartzBusyTimeoutSeconds) quartzConnection.DefaultTimeout = SqliteQuartzBusyTimeoutSeconds;
                    s.UseSqlite(SqliteFactory.Instance, quartzConnection.ToString());
                    s.ProvisionSchema();
                }
                s.UseSystemTextJsonSerializer(_ => { });
                // No step enlists Quartz in its transaction any more (ADR 8), so Quartz keeps to its own transactions.
                s.ConfigureStore(o => o.TablePrefix = TablePrefix);
            });
            q.AddJob<FireTimerJob>(j => j.WithIdentity(LegacyTriggerJobs.TimerJobKey).StoreDurably().RequestRecovery());
            q.AddJob<RunWorkflowJob>(j => j.WithIdentity(LegacyTriggerJobs.RunJobKey).StoreDurably().RequestRecovery());
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 4);
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddSingleton<ICronSchedule, QuartzCronSchedule>();
        return services;
    }

    /// <summary>Quartz's own PostgreSQL schema script (embedded in Quartz.dll), as our migration V002.</summary>
    public static string PostgresSchemaScript() => PostgresSchemaScript(TablePrefix);

    /// <summary>
    /// Quartz's PostgreSQL schema script with <paramref name="tablePrefix"/> filled in. The embedded text is a template:
    /// <c>{0}</c> stands for the table prefix and <c>{1}</c> for the same prefix without a schema qualifier (index and
    /// constraint names); Quartz substitutes them itself when it provisions, so run as it is the script is invalid SQL.
    /// </summary>
    public static string PostgresSchemaScript(string tablePrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(tablePrefix);
        var assembly = typeof(IScheduler).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".create_postgres.sql", StringComparison.OrdinalIgnoreCase));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        var unqualified = tablePrefix[(tablePrefix.LastIndexOf('.') + 1)..];
        // Plain replacement, not string.Format: the script is SQL and may contain other braces.
        return reader.ReadToEnd().Replace("{0}", tablePrefix, StringComparison.Ordinal).Replace("{1}", unqualified, StringComparison.Ordinal);
    }
}

/// <summary>Cron next-occurrence through Quartz's cron parser (the same one its triggers use).</summary>
public sealed class QuartzCronSchedule : ICronSchedule
{
    public DateTimeOffset? Next(string cron, DateTimeOffset after, out string? error) => Next(cron, after, null, out error);

    public DateTimeOffset? Next(string cron, DateTimeOffset after, string? timeZone, out string? error)
    {
        error = null;
        var zone = TimeZoneInfo.Utc;
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out zone))
        {
            error = $"Unknown time zone '{timeZone}' (use an IANA id such as Europe/Berlin).";
            return null;
        }
        CronExpression? expression;
        try
        {
            if (!CronExpression.TryParse(cron, out expression))
            {
                error = $"'{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]).";
                return null;
            }
        }
        catch (FormatException ex)
        {
            error = $"Invalid cron expression: {ex.Message}";
            return null;
        }
        var next = expression!.WithTimeZone(zone).GetNextValidTimeAfter(after);
        if (next is null) error = "The cron expression never fires again.";
        return next;
    }
}
