using ApprovalEngine.Persistence;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Wallets;

/// <summary>
/// Keeps <c>crypto_wallet_addresses</c> in step with every step of a crypto-address-verification instance, in the
/// step's transaction (activities write no rows): one upsert by instance id, so the address is Verified exactly when
/// the step that verified it commits.
/// </summary>
public sealed class WalletProjection : IStepObserver
{
    public const string DefinitionId = "crypto-address-verification";

    public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        var state = step.State;
        if (state.DefinitionId != DefinitionId || state.ParentInstanceId is not null) return;
        var v = state.Variables;
        string Text(string name) => v.TryGetValue(name, out var value) && value is string s ? s : "";
        string? Optional(string name) => v.TryGetValue(name, out var value) ? value as string : null;
        var status = state.BusinessStatus ?? "Submitted";
        // SQLite keeps instants as UTC ticks (ModelConventions); raw SQL must write what the model reads back.
        object createdAt = db.IsSqlite ? state.CreatedAt.UtcTicks : state.CreatedAt;
        object updatedAt = db.IsSqlite ? state.UpdatedAt.UtcTicks : state.UpdatedAt;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO crypto_wallet_addresses (id, securities_account, coin, network, address, status, submitted_by, reviewed_by, reason, created_at, updated_at)
            VALUES ({state.Id}, {Text("securitiesAccount")}, {Text("coin")}, {Text("network")}, {Text("address")}, {status}, {state.StartedBy},
                {Optional("reviewedBy")}, {Optional("reason")}, {createdAt}, {updatedAt})
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, reviewed_by = excluded.reviewed_by, reason = excluded.reason, updated_at = excluded.updated_at
            """, cancellationToken);
    }
}
