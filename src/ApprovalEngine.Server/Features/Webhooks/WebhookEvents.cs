namespace ApprovalEngine.Server.Features.Webhooks;

/// <summary>The event types a system may subscribe to (the <c>type</c> of the payload).</summary>
public static class WebhookEvents
{
    public const string InstanceCompleted = "instance.completed";
    public const string InstanceFaulted = "instance.faulted";
    public const string BusinessStatusChanged = "instance.business_status_changed";
    public const string TaskCreated = "task.created";

    public static readonly IReadOnlyList<string> All = [InstanceCompleted, InstanceFaulted, BusinessStatusChanged, TaskCreated];
}
