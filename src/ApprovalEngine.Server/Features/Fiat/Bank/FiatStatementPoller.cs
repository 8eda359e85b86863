using ApprovalEngine.Adapters.Bank;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>
/// Fetches the statements of the channels whose bank is integrated by API (<see cref="WithdrawalChannel.AutomaticStatus"/>,
/// not cheques) on a schedule, stores the new lines and reconciles them. Settings: <c>Fiat:StatementPoll:Enabled</c>
/// (true), <c>Fiat:StatementPoll:IntervalSeconds</c> (300; the first look is one interval after start-up),
/// <c>Fiat:StatementPoll:BatchSize</c> (500 lines stored per transaction) and <c>Fiat:StatementPoll:Days</c> (2: today
/// and yesterday, UTC, so a line booked late on the bank's day is still caught). Every node may poll: a line two nodes
/// fetch is stored once (unique per channel and entry id) and matched once (the record's step decides).
/// </summary>
public sealed class FiatStatementPoller(IServiceProvider services, IConfiguration config, TimeProvider clock, ILogger<FiatStatementPoller> logger) : BackgroundService
{
    private int Setting(string name, int fallback, int min) => int.TryParse(config[$"Fiat:StatementPoll:{name}"], out var v) && v >= min ? v : fallback;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config["Fiat:StatementPoll:Enabled"] is { } enabled && bool.TryParse(enabled, out var on) && !on) return;
        var interval = TimeSpan.FromSeconds(Setting("IntervalSeconds", 300, 1));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stoppingToken);
                await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bank or database outage is retried on the next look; the lines are still there then.
                logger.LogWarning(ex, "Fetching bank statements failed; trying again in {Interval}.", interval);
            }
        }
    }

    /// <summary>One look at every API-integrated channel; returns how many new lines were stored.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var channels = services.GetRequiredService<IWithdrawalChannels>();
        var bank = services.GetRequiredService<IBankGateway>();
        var statements = services.GetRequiredService<FiatStatements>();
        var reconciliation = services.GetRequiredService<FiatReconciliation>();
        var batch = Setting("BatchSize", 500, 1);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var from = today.AddDays(1 - Setting("Days", 2, 1));
        var added = 0;
        foreach (var channel in await channels.ListChannelsAsync(cancellationToken))
        {
            if (!channel.Enabled || !channel.AutomaticStatus || channel.IsCheque) continue;
            var lines = FiatStatements.FromBank(await bank.GetStatementAsync(channel.ChannelId, from, today, cancellationToken));
            foreach (var chunk in lines.Chunk(batch))
            {
                added += (await statements.AddAsync(channel.ChannelId, chunk, StatementSources.Api, FiatBankNames.ReconciliationActor, null, cancellationToken)).Added;
            }
            await reconciliation.ReconcileAsync(channel.ChannelId, cancellationToken);
        }
        return added;
    }
}
