namespace ApprovalEngine.Server.Features.Fiat.Config.PendingKinds;

/// <summary>More settings: direct billing approval off, a laxer default review, a higher second-approval threshold.</summary>
internal sealed class SettingsEdit() : PendingChangeKind<SettingsBody>(SettingsEndpoints.Entity, "Edit")
{
    protected override Task ReplayAsync(string key, SettingsBody body, PendingReplay replay, CancellationToken ct) =>
        SettingsEndpoints.ApplyAsync(body, replay.Caller, replay.Db, replay.Time, ct);
}
