namespace ApprovalEngine.Persistence.Entities;

// Rows of the database. The engine's own types stay free of EF; these are their stored shapes.

/// <summary>A workflow definition: its draft (if any) and pointers to its versions.</summary>
public sealed class DefinitionRecord
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public int LatestVersion { get; set; }
    public int? PublishedVersion { get; set; }
    public string? DraftJson { get; set; }
    public DateTimeOffset? DraftSavedAt { get; set; }
    public string? DraftSavedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An immutable published version; instances refer to it forever.</summary>
public sealed class DefinitionVersionRecord
{
    public required string DefinitionId { get; set; }
    public int Version { get; set; }
    public required string Json { get; set; }
    public required string ContentHash { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public string? PublishedBy { get; set; }

    /// <summary>Set while the version refuses new starts; instances already on it continue.</summary>
    public DateTimeOffset? SuspendedAt { get; set; }
    public string? SuspendedBy { get; set; }
    public string? SuspendReason { get; set; }
}

/// <summary>
/// A draft submitted for publishing: an immutable snapshot that a second analyst approves (publishing exactly this
/// content) or rejects. The base version is what was published when it was submitted.
/// </summary>
public sealed class PublishRequestRecord
{
    public Guid Id { get; set; }
    public required string DefinitionId { get; set; }
    public required string Status { get; set; }
    public required string Json { get; set; }
    public required string ContentHash { get; set; }
    public int? BaseVersion { get; set; }
    public string? Note { get; set; }
    public required string SubmittedBy { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionReason { get; set; }
    public int? PublishedVersion { get; set; }
}

/// <summary>
/// A request to move running instances from one version to another (ADR 12): submitted by one analyst with its
/// mapping and the exact instances, applied by another. Results are kept per instance.
/// </summary>
public sealed class InstanceMigrationRecord
{
    public Guid Id { get; set; }
    public required string DefinitionId { get; set; }
    public int FromVersion { get; set; }
    public int ToVersion { get; set; }
    public required string MappingJson { get; set; }
    public required string InstanceIdsJson { get; set; }
    public required string Status { get; set; }
    public string? Note { get; set; }
    public required string SubmittedBy { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionReason { get; set; }
    public string? ResultsJson { get; set; }
}

public static class InstanceMigrationStatuses
{
    public const string Pending = nameof(Pending);

    /// <summary>Approved and being applied; a request left here by a node that died is continued by its approver.</summary>
    public const string Applying = nameof(Applying);
    public const string Applied = nameof(Applied);
    public const string PartiallyApplied = nameof(PartiallyApplied);
    public const string Rejected = nameof(Rejected);
}

public static class PublishRequestStatuses
{
    public const string Pending = nameof(Pending);
    public const string Approved = nameof(Approved);
    public const string Rejected = nameof(Rejected);
}

/// <summary>Who changed what about a definition's versions: submitted, approved, rejected, suspended, resumed, published from a file.</summary>
public sealed class DefinitionJournalRecord
{
    public long Id { get; set; }
    public required string DefinitionId { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public required string Kind { get; set; }
    public int? Version { get; set; }
    public string? ContentHash { get; set; }
    public Guid? RequestId { get; set; }
    public required string UserId { get; set; }
    public string? Note { get; set; }
}

public static class DefinitionJournalKinds
{
    public const string Submitted = nameof(Submitted);
    public const string Approved = nameof(Approved);
    public const string Rejected = nameof(Rejected);
    public const string Suspended = nameof(Suspended);
    public const string Resumed = nameof(Resumed);
    public const string PublishedFromFile = nameof(PublishedFromFile);

    /// <summary>An analyst saved the draft: whoever wrote any of a request's content may not approve it.</summary>
    public const string DraftSaved = nameof(DraftSaved);

    /// <summary>Instance migrations (ADR 12): a move of running instances submitted, applied or rejected.</summary>
    public const string MigrationSubmitted = nameof(MigrationSubmitted);
    public const string MigrationApplied = nameof(MigrationApplied);
    public const string MigrationRejected = nameof(MigrationRejected);
}

public sealed class InstanceRecord
{
    public Guid Id { get; set; }
    public required string DefinitionId { get; set; }
    public int DefinitionVersion { get; set; }
    public string? CorrelationId { get; set; }
    public required string Status { get; set; }
    public string? BusinessStatus { get; set; }
    public string? Department { get; set; }
    public int Priority { get; set; }
    public required string StateJson { get; set; }

    /// <summary>Optimistic concurrency: a step commits only if this still equals the version it was computed from.</summary>
    public long Version { get; set; }

    public Guid? ParentInstanceId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The last journal sequence written for this instance; kept here so a step numbers its entries without a MAX() query.</summary>
    public long JournalSequence { get; set; }
}

public sealed class TaskRecord
{
    public Guid Id { get; set; }
    public Guid InstanceId { get; set; }
    public required string DefinitionId { get; set; }
    public int DefinitionVersion { get; set; }
    public required string ActivityId { get; set; }
    public required string Title { get; set; }
    public string? BusinessStatus { get; set; }
    public string? Department { get; set; }
    public string? CorrelationId { get; set; }
    public required string Status { get; set; }
    public string? Assignee { get; set; }
    public int Priority { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public bool Overdue { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedBy { get; set; }
    public string? ClosedAction { get; set; }

    // What the task is about (ADR 23), written when it opens from the instance's own definition version and refreshed
    // while it is open when those variables change: the inbox lists and searches these columns, not instance JSON.
    public string? SubjectCustomer { get; set; }
    public string? SubjectAccount { get; set; }
    public decimal? SubjectAmount { get; set; }
    public string? SubjectCurrency { get; set; }

    /// <summary>The parent's flow when some columns are the parent's (a work order's customer): shown only to its readers.</summary>
    public string? SubjectParentDefinitionId { get; set; }

    /// <summary>Which columns came from the parent (<see cref="Workflows.Definitions.TaskSubject.CustomerBit"/>, …); 0 when none.</summary>
    public int SubjectParentColumns { get; set; }
}

/// <summary>Index of where instances wait, so events and timers find them without reading every state.</summary>
public sealed class BookmarkRecord
{
    public Guid Id { get; set; }
    public Guid InstanceId { get; set; }
    public required string Kind { get; set; }
    public required string ActivityId { get; set; }
    public string? EventName { get; set; }
    public string? CorrelationKey { get; set; }
    /// <summary>For a timer: when it is due. Timer bookmarks are the due rows the pollers fire (ADR 8).</summary>
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>A poller took this due timer until then; after it (the node died) another node may take it.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
}

public sealed class JournalRecord
{
    public long Id { get; set; }
    public Guid InstanceId { get; set; }
    public long Sequence { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public required string Kind { get; set; }
    public string? ActivityId { get; set; }
    public string? ActivityType { get; set; }
    public string? Outcome { get; set; }
    public string? UserId { get; set; }
    public string? Role { get; set; }
    public string? IpAddress { get; set; }
    public string? Action { get; set; }
    public string? Comment { get; set; }
    public string? ChangesJson { get; set; }
    public string? Message { get; set; }
}

/// <summary>
/// What caused one step of an instance (<see cref="Workflows.Runtime.StepCommand"/> as JSON), written with the step: the
/// history a replay feeds back. <see cref="Version"/> is the instance version the step produced.
/// </summary>
public sealed class StepCommandRecord
{
    public long Id { get; set; }
    public Guid InstanceId { get; set; }
    public long Version { get; set; }
    public required string Kind { get; set; }
    public bool Chained { get; set; }
    public DateTimeOffset At { get; set; }
    public required string CommandJson { get; set; }
}

/// <summary>A domain activity's outside call (outbox). Run after the commit, retried with backoff, then an incident.</summary>
public sealed class JobRecord
{
    public Guid Id { get; set; }
    public Guid InstanceId { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityType { get; set; }
    public required string InputJson { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    /// <summary>When a Pending job is due to run (first try, backup after an inline run, or retry); the job pollers fire it.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>A poller took this run until then; after it (the node died) another node may take it.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
}

public sealed class IncidentRow
{
    public Guid Id { get; set; }
    public Guid InstanceId { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityType { get; set; }
    public required string Message { get; set; }
    public Guid? JobId { get; set; }
    public int Attempts { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
}

/// <summary>Remembers a client's idempotency key (e.g. an event delivery) so a retry does not act twice.</summary>
public sealed class IdempotencyKeyRecord
{
    public required string Key { get; set; }
    public required string Scope { get; set; }
    public string? ResultJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Sandbox trading account (Development only): stands in for the trading platform behind the ledger.</summary>
public sealed class TradingAccountRecord
{
    public required string Account { get; set; }
    public required string CustomerId { get; set; }
    public required string Currency { get; set; }
    public decimal Balance { get; set; }
    public decimal Equity { get; set; }
    public decimal Margin { get; set; }
    public decimal FreeMargin { get; set; }
    public decimal Credit { get; set; }
    public int OpenTrades { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Sandbox: the payment method of the last deposit to a trading account (V022).</summary>
public sealed class DepositMethodRecord
{
    public required string Account { get; set; }
    public required string Method { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class BalanceOperationRecord
{
    public Guid Id { get; set; }

    /// <summary>The trading platform's ticket number, as the audit log shows it.</summary>
    public long TradeId { get; set; }
    public required string Account { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public string? Comment { get; set; }
    public required string IdempotencyKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The WD request grid row: a projection of the wd-request instance, updated in the same transaction as each step.</summary>
public sealed class WdRequestRecord
{
    public Guid Id { get; set; }
    public required string CustomerId { get; set; }
    public required string TradingAccount { get; set; }
    public decimal RequestedAmount { get; set; }
    public required string Currency { get; set; }
    public decimal Fee { get; set; }
    public required string Status { get; set; }
    public string? Department { get; set; }
    public int Priority { get; set; }
    public bool Overdue { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// An external event as received (the inbox): stored in the transaction of the first step it resumes, or on its own
/// (status Waiting) when nothing waits for it yet. The idempotency key is unique per event name and sender; the
/// outcome is the answer the sender got, given again to a retry.
/// </summary>
public sealed class EventRecord
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string CorrelationId { get; set; }
    public string? PayloadJson { get; set; }
    public string? IdempotencyKey { get; set; }

    /// <summary>The sending system (its API key's name): whose key it is, and the actor of a later delivery.</summary>
    public required string Sender { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>While Waiting: when it stops waiting for a bookmark and becomes Expired.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
    public required string Status { get; set; }
    public string? OutcomeJson { get; set; }

    /// <summary>A poller took this waiting event to deliver it until then (ADR 8's lease, on the database's clock).</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
}

public static class EventStatuses
{
    public const string Delivered = nameof(Delivered);
    public const string Waiting = nameof(Waiting);
    public const string Expired = nameof(Expired);
}

/// <summary>
/// One event delivered to one instance, written in the transaction of the step it caused: a crash leaves each target
/// either delivered and recorded or neither, and a retry delivers only to the targets without a row.
/// </summary>
public sealed class EventDeliveryRecord
{
    public Guid EventId { get; set; }
    public Guid InstanceId { get; set; }

    /// <summary>The WaitForEvent bookmark it resumed; null for an interrupt.</summary>
    public Guid? BookmarkId { get; set; }
    public DateTimeOffset DeliveredAt { get; set; }
}

/// <summary>
/// A start trigger of a definition's published version (ADR 9), rewritten at each publication. Event triggers are
/// looked up by event name; a cron trigger is a due row (<see cref="NextDueAt"/>) the trigger pollers lease like timers.
/// </summary>
public sealed class StartTriggerRecord
{
    public required string DefinitionId { get; set; }
    public required string TriggerId { get; set; }
    public int Version { get; set; }

    /// <summary><c>event</c> or <c>cron</c>.</summary>
    public required string Kind { get; set; }
    public string? EventName { get; set; }
    public string? Cron { get; set; }
    public string? TimeZone { get; set; }
    public DateTimeOffset? NextDueAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

/// <summary>One start by a trigger, written in the start's transaction: an event id or a cron tick starts a definition once.</summary>
public sealed class TriggerStartRecord
{
    public required string DefinitionId { get; set; }

    /// <summary><c>event:&lt;event id&gt;</c> or <c>cron:&lt;trigger id&gt;:&lt;due time, UTC, ISO 8601&gt;</c>.</summary>
    public required string TriggerKey { get; set; }
    public Guid InstanceId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
