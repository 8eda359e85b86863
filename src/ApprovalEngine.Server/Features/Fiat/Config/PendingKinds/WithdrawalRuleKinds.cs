namespace ApprovalEngine.Server.Features.Fiat.Config.PendingKinds;

/// <summary>A withdrawal rule edited to higher limits or more client banks or service windows.</summary>
internal sealed class WithdrawalRuleEdit() : PendingChangeKind<WithdrawalRuleBody>(WithdrawalRulesEndpoints.Entity, "Edit")
{
    protected override Task ReplayAsync(string key, WithdrawalRuleBody body, PendingReplay replay, CancellationToken ct) =>
        WithdrawalRulesEndpoints.EditAsync(key, body, replay.Caller, replay.Db, replay.Time, ct);
}
