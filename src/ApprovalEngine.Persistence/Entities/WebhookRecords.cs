namespace ApprovalEngine.Persistence.Entities;

/// <summary>
/// A system's subscription to the events of one definition (issue 15): where to send them and the secret they are
/// signed with. The secret is stored sealed (<see cref="SecretSealed"/>), never in clear, and never returned by a read.
/// </summary>
public sealed class WebhookSubscriptionRecord
{
    public Guid Id { get; set; }
    public required string DefinitionId { get; set; }

    /// <summary>Comma-separated event types (e.g. <c>instance.completed,task.created</c>).</summary>
    public required string Events { get; set; }

    public required string Url { get; set; }

    /// <summary>The signing secret, encrypted with the server's webhook key (AES-GCM, base64: nonce | tag | cipher).</summary>
    public required string SecretSealed { get; set; }

    /// <summary>The last characters of the secret, so that an operator can tell which one is configured.</summary>
    public required string SecretHint { get; set; }

    public string? Description { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set when the subscription was removed: no new deliveries; its deliveries stay visible.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

/// <summary>
/// One event for one subscription: written in the step's transaction (the outbox), sent after the commit by the
/// dispatcher. Its id is the <c>webhook-id</c> every attempt carries, so a receiver can drop a repeat.
/// </summary>
public sealed class WebhookDeliveryRecord
{
    public Guid Id { get; set; }
    public Guid SubscriptionId { get; set; }
    public required string EventType { get; set; }
    public Guid InstanceId { get; set; }
    public required string DefinitionId { get; set; }

    /// <summary>The JSON body, fixed when the step committed: every attempt sends the same bytes.</summary>
    public required string Payload { get; set; }

    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }

    /// <summary>The start of the receiver's last answer, for the operator; never more.</summary>
    public string? ResponseExcerpt { get; set; }

    /// <summary>A dispatcher took the delivery until then (another node takes it after that, should this one die).</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Which claim holds the lease: only that dispatcher records the attempt's result.</summary>
    public Guid? LeaseToken { get; set; }

    public DateTimeOffset? ResentAt { get; set; }
    public string? ResentBy { get; set; }
}

public static class WebhookDeliveryStatuses
{
    public const string Pending = "Pending";
    public const string Delivered = "Delivered";

    /// <summary>Gave up after the configured attempts (or the subscription is gone); an operator may resend.</summary>
    public const string Failed = "Failed";
}
