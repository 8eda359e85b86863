namespace ApprovalEngine.Hosting;

/// <summary>The <c>Engine</c> configuration section: outside-call retries and the due-work pollers.</summary>
public sealed class EngineHostOptions
{
    public int JobMaxAttempts { get; set; } = 5;
    public int JobBackoffSeconds { get; set; } = 10;

    /// <summary>Jobs run right after the commit; their row is due this much later, the durable backup if the process dies first.</summary>
    public int JobBackupDelaySeconds { get; set; } = 30;

    public bool RunJobsInline { get; set; } = true;

    /// <summary>Whether this node runs the timer and job pollers (every node does by default; all share the work).</summary>
    public bool RunPollers { get; set; } = true;

    /// <summary>Longest wait between two looks for due work when nothing is known to be due sooner.</summary>
    public int PollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Due rows one poll takes at most; a full batch is followed by the next poll at once.</summary>
    public int PollBatchSize { get; set; } = 200;

    /// <summary>Timers (and job runs) fired at the same time by one node. SQLite (one writer) always uses 1.</summary>
    public int PollConcurrency { get; set; } = 16;

    /// <summary>
    /// How long a taken row belongs to the node that took it. Only a node that dies holds rows that long: firing is
    /// idempotent, so the lease saves work rather than guaranteeing once-only.
    /// </summary>
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>After a failed fire (e.g. the database was away), the row is taken again after this pause.</summary>
    public int FailedFireRetrySeconds { get; set; } = 5;

    /// <summary>How long an event that nothing waits for yet is kept (Waiting) for a WaitForEvent bookmark to appear (24 h).</summary>
    public int EventRetentionSeconds { get; set; } = 86_400;

    /// <summary>The longest a sender may ask an event to be kept (<c>keepForSeconds</c>); longer asks are capped (7 days).</summary>
    public int EventRetentionMaxSeconds { get; set; } = 7 * 86_400;

    /// <summary>
    /// How long the task and incident gauges (README "Observability") reuse their last query: a scrape costs at most
    /// one grouped query per this many seconds, however many scrapers ask. 0 queries on every scrape.
    /// </summary>
    public int MetricsCacheSeconds { get; set; } = 5;
}
