namespace ApprovalEngine.Server.Features.Fiat.Config.PendingKinds;

/// <summary>A channel moved to another paying account.</summary>
internal sealed class ChannelEdit() : PendingChangeKind<ChannelBody>(ChannelsEndpoints.Entity, "Edit")
{
    protected override Task ReplayAsync(string key, ChannelBody body, PendingReplay replay, CancellationToken ct) =>
        ChannelsEndpoints.EditAsync(key, body, replay.Caller, replay.Db, replay.Time, ct);
}
