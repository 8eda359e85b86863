namespace ApprovalEngine.Server.Features.Fiat.Config.PendingKinds;

/// <summary>An interception rule edited to lower thresholds or switched off by the edit.</summary>
internal sealed class InterceptionRuleEdit() : PendingChangeKind<InterceptionRuleBody>(InterceptionRulesEndpoints.Entity, "Edit")
{
    protected override Task ReplayAsync(string key, InterceptionRuleBody body, PendingReplay replay, CancellationToken ct) =>
        InterceptionRulesEndpoints.EditAsync(key, body, replay.Caller, replay.Db, replay.Time, ct);
}

/// <summary>The Disable button of an interception rule.</summary>
internal sealed class InterceptionRuleDisable() : PendingChangeKind<RowVersionBody>(InterceptionRulesEndpoints.Entity, EnableDisable.Disable)
{
    protected override Task ReplayAsync(string key, RowVersionBody body, PendingReplay replay, CancellationToken ct) =>
        EnableDisable.ApplyAsync(InterceptionRulesEndpoints.Switchable, key, false, body, replay.Caller, replay.Db, replay.Time, ct);
}
