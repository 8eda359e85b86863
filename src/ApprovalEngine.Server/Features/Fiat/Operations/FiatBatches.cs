using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Hosting;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

public sealed record FiatPackRefusal(string Record, string Error);

public sealed record FiatPackResult(FiatBatch Batch, IReadOnlyList<FiatPackRefusal> Refused);

/// <summary>
/// Packing for arrangement and the batch's results. Each record moves into the batch in its own transaction: the
/// record's FiatPacked step and its open batch item commit together, and the database allows one open batch item per
/// record, so two packs racing for a record cannot both take it.
/// </summary>
public sealed class FiatBatches(IDbContextFactory<FiatDbContext> contexts, WorkflowRunner runner, FiatNumbers numbers, InstanceStarter starter,
    IWithdrawalChannels channels, TimeProvider clock, ILogger<FiatBatches> logger)
{
    public const string Route = "POST /api/fiat/batches";
    public const int MaxRecords = 500;

    /// <summary>
    /// Packs the records into one new batch. Each record is checked first (<see cref="FiatPackChecks"/>): an operator's
    /// pack with any failing record is refused whole (422, an error per record under <c>records[i]</c>, i = its place in
    /// <paramref name="recordIds"/>), nothing written; a scheduled pack (<paramref name="skipFailing"/>) leaves the
    /// failing records in Withdrawal Pending for an operator and packs the others.
    /// </summary>
    public async Task<FiatPackResult> PackAsync(IReadOnlyList<Guid> recordIds, Actor actor, CancellationToken ct, bool skipFailing = false)
    {
        ArgumentNullException.ThrowIfNull(recordIds);
        await using var fiat = await contexts.CreateDbContextAsync(ct);
        var found = await fiat.Set<FiatWithdrawalRecord>().AsNoTracking().Where(r => recordIds.Contains(r.Id)).ToListAsync(ct);
        var missing = recordIds.Where(id => found.All(r => r.Id != id)).ToList();
        if (missing.Count > 0) throw ApiProblemException.Invalid("records", $"No withdrawal record {string.Join(", ", missing)}.");
        // The request's order, so that records[i] names the i-th record asked for.
        var rows = recordIds.Select(id => found.First(r => r.Id == id)).ToList();
        // One reading of the configuration for the whole request: the checks and the batch's policy agree.
        var snapshot = await FiatPackChecks.LoadAsync(fiat, rows, ct);
        var problems = FiatPackChecks.CheckAll(snapshot, rows);
        if (problems.Count > 0 && !skipFailing)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            for (var i = 0; i < rows.Count; i++)
            {
                if (problems.TryGetValue(rows[i].Id, out var list)) errors[$"records[{i}]"] = [.. list];
            }
            // "records" as before (clients reading the field), records[i] for each refused record.
            var detail = $"{problems.Count} of {rows.Count} records cannot be packed: {string.Join(" ", problems.Values.SelectMany(v => v))}";
            errors["records"] = [detail];
            throw ApiProblemException.Invalid(errors, detail);
        }
        foreach (var (id, list) in problems) logger.LogInformation("Scheduled packing left {Record} out: {Reasons}", id, string.Join(" ", list));
        rows = [.. rows.Where(r => !problems.ContainsKey(r.Id))];
        if (rows.Count == 0) throw ApiProblemException.Conflict("No record of the channel can be packed now.");
        var groups = rows.Select(r => (r.ChannelId, r.Currency)).Distinct().ToList();
        if (groups.Count != 1) throw ApiProblemException.Invalid("records", $"A batch holds one channel and currency; these records are of {string.Join(", ", groups.Select(g => $"{g.ChannelId}/{g.Currency}"))}.");
        var channelId = groups[0].ChannelId ?? throw ApiProblemException.Invalid("records", "The records have no channel yet.");
        var channel = snapshot.Channels.GetValueOrDefault(channelId) ?? throw ApiProblemException.Invalid("records", $"Channel '{channelId}' is not configured.");

        var now = clock.GetUtcNow();
        var batch = new FiatBatch
        {
            Id = await numbers.NextAsync(FiatNumbers.BatchPrefix, ct),
            ChannelId = channelId,
            Currency = groups[0].Currency,
            Policy = channel.Policy,
            CreatedBy = actor.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        fiat.Add(batch);
        await fiat.SaveChangesAsync(ct);

        var refused = new List<FiatPackRefusal>();
        foreach (var row in rows)
        {
            try
            {
                var packed = await runner.ExecuteAsync(async (unit, token) =>
                {
                    var (definition, state) = await WorkflowRunner.LoadAsync(unit, row.Id, token);
                    var step = runner.Engine.Interrupt(definition, state, FiatNames.FiatPacked, new Dictionary<string, object?> { ["batchId"] = batch.Id }, actor);
                    // The amount of the state this step packs (read in its transaction), not the list row read before:
                    // the batch's work order approves, and its bank file pays, exactly what the record holds.
                    var amount = state.Variables.GetValueOrDefault("amount") is decimal held ? held : row.Amount;
                    // The single-limit and channel checks above judged row.Amount: an edit approved in between would
                    // otherwise be packed unchecked (attacker review, 2026-12-02).
                    if (amount != row.Amount) throw ApiProblemException.Conflict($"The amount changed since it was checked ({row.Amount} → {amount}); pack the record again.");
                    await using var joined = FiatDbContext.Join(unit.Db);
                    joined.Add(new FiatBatchItem { BatchId = batch.Id, RecordId = row.Id, RecordNo = row.RecordNo, Amount = amount });
                    await joined.SaveChangesAsync(token);
                    return new UnitResult<decimal>(step, amount);
                }, ct, retryStale: false);
                batch.Total += packed;
                batch.Count++;
                // A sign of life for ResumeUnstartedAsync: a long pack is never taken for one that stopped.
                await fiat.Set<FiatBatch>().Where(b => b.Id == batch.Id).ExecuteUpdateAsync(u => u.SetProperty(b => b.UpdatedAt, clock.GetUtcNow()), ct);
            }
            catch (Exception ex) when (ex is WorkflowException or DbUpdateException or ApiProblemException)
            {
                refused.Add(new(row.RecordNo, ex is DbUpdateException ? "The record is already in an open batch." : ex.Message));
            }
        }
        if (batch.Count == 0)
        {
            fiat.Remove(batch);
            await fiat.SaveChangesAsync(ct);
            throw new ApiProblemException(409, "Not available in the current state.", new Dictionary<string, string[]> { ["records"] = [.. refused.Select(r => $"{r.Record}: {r.Error}")] },
                "No record could be packed.");
        }
        batch.UpdatedAt = clock.GetUtcNow();
        await fiat.SaveChangesAsync(ct);

        await StartFlowAsync(fiat, batch, channel.Policy != WithdrawalPolicies.BatchAuto, actor, ct);
        return new FiatPackResult(await fiat.Set<FiatBatch>().AsNoTracking().FirstAsync(b => b.Id == batch.Id, ct), refused);
    }

    private async Task StartFlowAsync(FiatDbContext fiat, FiatBatch batch, bool needsWorkOrder, Actor actor, CancellationToken ct)
    {
        var (started, _) = await starter.StartAsync(FiatNames.BatchDefinitionId, batch.Id, new Dictionary<string, object?>
        {
            ["batchId"] = batch.Id,
            ["channel"] = batch.ChannelId,
            ["currency"] = batch.Currency,
            ["total"] = batch.Total,
            ["count"] = (decimal)batch.Count,
            ["policy"] = batch.Policy,
            ["needsWorkOrder"] = needsWorkOrder,
        }, actor, StartRoute.Domain(Route), ct, domainInputs: new HashSet<string>(StringComparer.Ordinal) { "needsWorkOrder" });
        // The instance's first steps may have ended it already (BatchAuto): the observer keeps the row; only the link is ours.
        await fiat.Set<FiatBatch>().Where(b => b.Id == batch.Id).ExecuteUpdateAsync(u => u.SetProperty(b => b.InstanceId, started.Id), ct);
    }

    /// <summary>
    /// A pack that died between moving its records and starting the batch's flow (process stopped) left records in
    /// Batch Pending with no work order: a grace period after its last sign of life the batch is completed from its open items and started,
    /// as its packer (four eyes then still refuse the packer's approval).
    /// </summary>
    public async Task<int> ResumeUnstartedAsync(TimeSpan grace, CancellationToken ct)
    {
        await using var fiat = await contexts.CreateDbContextAsync(ct);
        var before = clock.GetUtcNow() - grace;
        var stuck = await fiat.Set<FiatBatch>().Where(b => b.InstanceId == null && !b.Finished).ToListAsync(ct);
        var resumed = 0;
        foreach (var batch in stuck.Where(b => b.UpdatedAt < before))
        {
            var items = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.BatchId == batch.Id && i.IsOpen).ToListAsync(ct);
            if (items.Count == 0)
            {
                fiat.Remove(batch);
                await fiat.SaveChangesAsync(ct);
                continue;
            }
            batch.Count = items.Count;
            batch.Total = items.Sum(i => i.Amount);
            batch.UpdatedAt = clock.GetUtcNow();
            await fiat.SaveChangesAsync(ct);
            var channel = await channels.GetChannelAsync(batch.ChannelId, ct);
            var packer = batch.CreatedBy.StartsWith("fiat-packing", StringComparison.Ordinal)
                ? Actor.System(batch.CreatedBy)
                : new Actor { UserId = batch.CreatedBy, Role = "packer (resumed)" };
            await StartFlowAsync(fiat, batch, channel?.Policy != WithdrawalPolicies.BatchAuto, packer, ct);
            logger.LogWarning("Batch {Batch} was packed but not started; started it with {Count} records.", batch.Id, batch.Count);
            resumed++;
        }
        return resumed;
    }

    /// <summary>
    /// Brings each finished batch's outcome to its records: Paying → FiatBatchPaid, Rejected → FiatBatchReleased (back
    /// to Withdrawal Pending), Refused → FiatBatchRefused (Withdrawal Exception). Each record's step closes its batch
    /// item in the same transaction, so a record is moved once even when two nodes dispatch at the same time.
    /// </summary>
    public async Task<int> DispatchAsync(CancellationToken ct)
    {
        await using var fiat = await contexts.CreateDbContextAsync(ct);
        var batches = await fiat.Set<FiatBatch>().AsNoTracking().Where(b => b.Finished && !b.Dispatched).OrderBy(b => b.UpdatedAt).Take(20).ToListAsync(ct);
        var moved = 0;
        foreach (var batch in batches)
        {
            var (name, payload) = batch.Status switch
            {
                FiatBatchStatuses.Paying => (FiatNames.FiatBatchPaid, new Dictionary<string, object?> { ["batchId"] = batch.Id, ["bankReference"] = batch.BankReference }),
                FiatBatchStatuses.Refused => (FiatNames.FiatBatchRefused, new Dictionary<string, object?> { ["batchId"] = batch.Id, ["reason"] = batch.Reason }),
                _ => (FiatNames.FiatBatchReleased, new Dictionary<string, object?> { ["batchId"] = batch.Id, ["reason"] = batch.Reason }),
            };
            var items = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.BatchId == batch.Id && i.IsOpen).ToListAsync(ct);
            foreach (var item in items)
            {
                try
                {
                    await runner.ExecuteAsync(async (unit, token) =>
                    {
                        var (definition, state) = await WorkflowRunner.LoadAsync(unit, item.RecordId, token);
                        var step = runner.Engine.Interrupt(definition, state, name, payload, Actor.System("fiat-batch"));
                        await using var joined = FiatDbContext.Join(unit.Db);
                        await joined.Set<FiatBatchItem>().Where(i => i.Id == item.Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.IsOpen, false), token);
                        return new UnitResult<bool>(step, true);
                    }, ct);
                    moved++;
                }
                catch (WorkflowException ex)
                {
                    // Moved on meanwhile (another node dispatched it, or it was cancelled): the batch no longer holds it.
                    logger.LogInformation("Batch {Batch}: {Record} not moved by {Event}: {Reason}", batch.Id, item.RecordNo, name, ex.Message);
                    await fiat.Set<FiatBatchItem>().Where(i => i.Id == item.Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.IsOpen, false), ct);
                }
            }
            await fiat.Set<FiatBatch>().Where(b => b.Id == batch.Id).ExecuteUpdateAsync(u => u.SetProperty(b => b.Dispatched, true), ct);
        }
        return moved;
    }

    /// <summary>Packs every Withdrawal Pending record of a timed-packing or batch-auto channel (its packing cron fired).</summary>
    public async Task<FiatPackResult?> PackChannelAsync(string channelId, CancellationToken ct)
    {
        await using var fiat = await contexts.CreateDbContextAsync(ct);
        var ids = await fiat.Set<FiatWithdrawalRecord>().AsNoTracking()
            .Where(r => r.ChannelId == channelId && r.Status == FiatNames.WithdrawalPending && !r.Finished)
            .OrderBy(r => r.CreatedAt).Select(r => r.Id).Take(MaxRecords).ToListAsync(ct);
        if (ids.Count == 0) return null;
        try
        {
            return await PackAsync(ids, Actor.System("fiat-packing"), ct, skipFailing: true);
        }
        catch (ApiProblemException ex)
        {
            // Records of the channel in several currencies, or all taken meanwhile: the next tick tries again.
            logger.LogWarning("Packing channel {Channel} refused: {Reason}", channelId, ex.Detail ?? ex.Title);
            return null;
        }
    }
}

/// <summary>Keeps <c>fiat_batches</c> in step with its fiat-batch instance, in the step's transaction.</summary>
public sealed class FiatBatchProjection : IStepObserver
{
    public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        var state = step.State;
        if (state.DefinitionId != FiatNames.BatchDefinitionId || state.ParentInstanceId is not null) return;
        var v = state.Variables;
        var batchId = FiatProjection.Text(v, "batchId") ?? state.CorrelationId;
        var status = state.BusinessStatus ?? FiatBatchStatuses.Pending;
        var reason = FiatProjection.Text(v, "reason") ?? FiatProjection.Text(v, "failureReason");
        var finished = state.IsFinished;
        await db.Database.ExecuteSqlAsync($"""
            UPDATE fiat_batches SET status = {status}, finished = {finished}, instance_id = {state.Id},
                bank_reference = COALESCE({FiatProjection.Text(v, "bankReference")}, bank_reference), reason = {reason}, updated_at = {state.UpdatedAt}
            WHERE id = {batchId}
            """, cancellationToken);
    }
}

/// <summary>
/// Builds the batch's bank file (IFiatBankFiles), keeps it on the batch for download (the first build is the file:
/// a retried job sends the same bytes) and submits it to the bank under the job's idempotency key.
/// </summary>
public sealed class FiatBatchFiles(IDbContextFactory<FiatDbContext> contexts, IFiatBankFiles files, IBankGateway bank, IWithdrawalChannels channels, FiatClock clock) : IFiatBatchFiles
{
    public const string Format = "csv";

    public async Task<FiatBatchFileResult> SubmitAsync(string batchId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var fiat = await contexts.CreateDbContextAsync(cancellationToken);
        var batch = await fiat.Set<FiatBatch>().FirstAsync(b => b.Id == batchId, cancellationToken);
        var items = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.BatchId == batchId).OrderBy(i => i.Id).ToListAsync(cancellationToken);
        var ids = items.Select(i => i.RecordId).ToList();
        var records = await fiat.Set<FiatWithdrawalRecord>().AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync(cancellationToken);
        // Each item's amount, as packed and approved by the batch's work order (not the record's current column).
        var transfers = items.Select(i => (Item: i, Record: records.First(r => r.Id == i.RecordId)))
            .Select(p => new BankFileTransfer(p.Record.RecordNo, p.Record.BeneficiaryAccount, p.Record.BeneficiaryName ?? p.Record.CustomerId, p.Record.BeneficiaryBank, p.Item.Amount)).ToList();
        if (batch.FileContent is null)
        {
            var channel = await channels.GetChannelAsync(batch.ChannelId, cancellationToken);
            var file = files.Build(Format, new BankFileBatch(batch.Id, batch.ChannelId, channel?.ChannelId ?? batch.ChannelId, channel?.BankName ?? batch.ChannelId, null,
                batch.Currency, clock.Today, transfers));
            batch.FileName = file.FileName;
            batch.FileFormat = file.Format;
            batch.FileContent = file.Content;
            await fiat.SaveChangesAsync(cancellationToken);
        }
        var receipt = await bank.SubmitFileAsync(new BankFileRequest(batch.ChannelId, batch.Currency, batch.Id, batch.FileFormat!, batch.FileContent!, transfers, idempotencyKey), cancellationToken);
        return new FiatBatchFileResult(receipt.BankReference, batch.FileName!);
    }
}

/// <summary>
/// On every node: brings finished batches' outcomes to their records and packs timed-packing / batch-auto channels on
/// their PackingCron. A tick is taken by one node: the next due time moves on with a compare-and-set.
/// </summary>
public sealed class FiatBatchPoller(FiatBatches batches, IWithdrawalChannels channels, IDbContextFactory<FiatDbContext> contexts, Workflows.Activities.ICronSchedule cron,
    TimeProvider clock, IConfiguration config, ILogger<FiatBatchPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Engine:RunPollers", true)) return;
        await Task.Yield();
        var pause = TimeSpan.FromMilliseconds(Math.Max(50, config.GetValue("Fiat:PollMilliseconds", 500)));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PackDueChannelsAsync(stoppingToken);
                await batches.ResumeUnstartedAsync(TimeSpan.FromSeconds(Math.Max(1, config.GetValue("Fiat:UnstartedBatchGraceSeconds", 60))), stoppingToken);
                await batches.DispatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Fiat batch polling failed; trying again.");
            }
            try
            {
                await Task.Delay(pause, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task PackDueChannelsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var channel in await channels.ListChannelsAsync(ct))
        {
            if (!channel.Enabled || channel.PackingCron is not { Length: > 0 } expression) continue;
            if (channel.Policy is not (WithdrawalPolicies.TimedPacking or WithdrawalPolicies.BatchAuto)) continue;
            var name = "pack:" + channel.ChannelId;
            await using var fiat = await contexts.CreateDbContextAsync(ct);
            var row = await fiat.Set<FiatSequence>().AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, ct);
            if (row is null)
            {
                var first = cron.Next(expression, now, out _);
                if (first is null) continue;
                await fiat.Database.ExecuteSqlAsync($"INSERT INTO fiat_sequences (name, last_value) VALUES ({name}, {first.Value.ToUnixTimeMilliseconds()}) ON CONFLICT (name) DO NOTHING", ct);
                continue;
            }
            if (row.LastValue > now.ToUnixTimeMilliseconds()) continue;
            var next = cron.Next(expression, now, out _)?.ToUnixTimeMilliseconds() ?? long.MaxValue;
            // Whoever moves the due time on owns this tick.
            var taken = await fiat.Database.ExecuteSqlAsync($"UPDATE fiat_sequences SET last_value = {next} WHERE name = {name} AND last_value = {row.LastValue}", ct);
            if (taken == 1) await batches.PackChannelAsync(channel.ChannelId, ct);
        }
    }
}
