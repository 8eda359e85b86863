using System.Text.Json.Nodes;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>
/// A bank result (<c>BankResult</c>, correlation = record number) is about one payout of one fiat record, on every
/// route (POST /api/events, a batch's result update): it is refused (409, nothing kept) unless the record waits for
/// it now, because a result kept by the inbox would settle a payout sent later (an early "failure" invites a
/// Resubmit: paid twice). From version 2 on, it must name the payout's <c>bankReference</c> (422 otherwise); the
/// flow (version 3) settles the payout only with a result naming that reference. Version 1 records keep the old
/// contract ({ success, reason }).
/// </summary>
public sealed class FiatBankResultRule(DefinitionCache cache) : IEventRule
{
    public const int MaxReferenceLength = 200;

    public async Task CheckAsync(ApprovalDbContext db, EventCheck incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(incoming);
        if (incoming.Name != FiatNames.BankResult) return;
        var records = await db.Instances.AsNoTracking()
            .Where(i => i.CorrelationId == incoming.CorrelationId && i.DefinitionId == FiatNames.DefinitionId && i.ParentInstanceId == null)
            .Select(i => new { i.Id, i.DefinitionVersion, i.BusinessStatus }).ToListAsync(cancellationToken);
        foreach (var record in records)
        {
            var definition = await cache.GetAsync(db, FiatNames.DefinitionId, record.DefinitionVersion, cancellationToken);
            // Version 2 and later keep the payout's bankReference; version 1 never had one to compare.
            var named = definition?.Activities.Any(a => a.Type == "EvaluateFiatApplication") == true;
            if (named && BankReference(incoming.Payload) is null)
            {
                throw ApiProblemException.Invalid("payload.bankReference",
                    $"A fiat bank result names the payout it is about: payload.bankReference (at most {MaxReferenceLength} characters), the bank's order or file number the record shows.");
            }
            if (incoming.Targets.All(t => t.InstanceId != record.Id))
            {
                throw ApiProblemException.Conflict(
                    $"Record {incoming.CorrelationId} is {record.BusinessStatus}: it waits for no bank result now, and a result is never kept for a payout not yet sent. Send it once the record is Paying (try again if the payout is being sent).");
            }
        }
    }

    private static string? BankReference(JsonNode? payload) =>
        payload is JsonObject o && o["bankReference"] is JsonValue v && v.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) && text.Length <= MaxReferenceLength ? text : null;
}
