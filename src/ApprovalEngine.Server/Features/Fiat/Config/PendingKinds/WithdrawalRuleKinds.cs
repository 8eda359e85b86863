namespace ApprovalEngine.Server.Features.Fiat.Config.PendingKinds;

/// <summary>A withdrawal rule edited to higher limits or more client banks or service windows.</summary>
internal sealed class WithdrawalRuleEdit() : PendingChangeKind<WithdrawalRuleBody>(WithdrawalRulesEndpoints.Entity, "Edit")
{
    protected override Task ReplayAsync(string key, WithdrawalRuleBody body, PendingReplay replay, CancellationToken ct) =>
        WithdrawalRulesEndpoints.EditAsync(key, body, replay.Caller, replay.Db, replay.Time, ct);
}

/// <summary>A rule recreated on a channel with higher limits or more banks or windows than the rule deleted from it.</summary>
internal sealed class WithdrawalRuleCreate() : PendingChangeKind<WithdrawalRuleBody>(WithdrawalRulesEndpoints.Entity, "Create")
{
    protected override Task ReplayAsync(string key, WithdrawalRuleBody body, PendingReplay replay, CancellationToken ct) =>
        WithdrawalRulesEndpoints.CreateAsync(body, replay.Caller, replay.Db, replay.Time, ct);
}
