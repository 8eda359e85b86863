namespace ApprovalEngine.Server.Features.Fiat.Config.PendingKinds;

/// <summary>A new enabled AutoSubmit rule.</summary>
internal sealed class ReviewRuleCreate() : PendingChangeKind<ReviewRuleBody>(ReviewRulesEndpoints.Entity, "Create")
{
    protected override Task ReplayAsync(string key, ReviewRuleBody body, PendingReplay replay, CancellationToken ct) =>
        ReviewRulesEndpoints.CreateAsync(body, replay.Caller, replay.Db, replay.Time, ct);
}

/// <summary>An edit that switches a rule off, makes it laxer, narrows what it holds back or widens what it lets through.</summary>
internal sealed class ReviewRuleEdit() : PendingChangeKind<ReviewRuleBody>(ReviewRulesEndpoints.Entity, "Edit")
{
    protected override Task ReplayAsync(string key, ReviewRuleBody body, PendingReplay replay, CancellationToken ct) =>
        ReviewRulesEndpoints.EditAsync(key, body, replay.Caller, replay.Db, replay.Time, ct);
}

/// <summary>The Disable button of a rule that reviews or rejects.</summary>
internal sealed class ReviewRuleDisable() : PendingChangeKind<RowVersionBody>(ReviewRulesEndpoints.Entity, EnableDisable.Disable)
{
    protected override Task ReplayAsync(string key, RowVersionBody body, PendingReplay replay, CancellationToken ct) =>
        EnableDisable.ApplyAsync(ReviewRulesEndpoints.Switchable, key, false, body, replay.Caller, replay.Db, replay.Time, ct);
}

/// <summary>The Enable button of an AutoSubmit rule.</summary>
internal sealed class ReviewRuleEnable() : PendingChangeKind<RowVersionBody>(ReviewRulesEndpoints.Entity, EnableDisable.Enable)
{
    protected override Task ReplayAsync(string key, RowVersionBody body, PendingReplay replay, CancellationToken ct) =>
        EnableDisable.ApplyAsync(ReviewRulesEndpoints.Switchable, key, true, body, replay.Caller, replay.Db, replay.Time, ct);
}
