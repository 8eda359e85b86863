namespace ApprovalEngine.Server.Features.Fiat.Config.PendingKinds;

/// <summary>A daily limit edited higher, or with an alert that fires later.</summary>
internal sealed class DailyLimitEdit() : PendingChangeKind<DailyLimitBody>(DailyLimitsEndpoints.Entity, "Edit")
{
    protected override Task ReplayAsync(string key, DailyLimitBody body, PendingReplay replay, CancellationToken ct) =>
        DailyLimitsEndpoints.EditAsync(key, body, replay.Caller, replay.Db, replay.Clock, replay.Time, ct);
}

/// <summary>A positive adjustment.</summary>
internal sealed class DailyLimitAdjust() : PendingChangeKind<DailyLimitAdjustBody>(DailyLimitsEndpoints.Entity, "Adjust")
{
    protected override Task ReplayAsync(string key, DailyLimitAdjustBody body, PendingReplay replay, CancellationToken ct) =>
        DailyLimitsEndpoints.AdjustAsync(key, body, replay.Caller, replay.Db, replay.Clock, replay.Time, ct);
}

/// <summary>A deleted daily limit (the bank then pays without one).</summary>
internal sealed class DailyLimitDelete() : PendingChangeKind<DailyLimitDeleteBody>(DailyLimitsEndpoints.Entity, "Delete")
{
    protected override Task ReplayAsync(string key, DailyLimitDeleteBody body, PendingReplay replay, CancellationToken ct) =>
        DailyLimitsEndpoints.DeleteAsync(key, body.RowVersion, body.Reason, replay.Caller, replay.Db, replay.Time, ct);
}
