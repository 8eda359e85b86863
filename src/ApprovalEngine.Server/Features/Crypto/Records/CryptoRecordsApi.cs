using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Infrastructure;

namespace ApprovalEngine.Server.Features.Crypto.Records;

/// <summary>Withdrawal Records (manual 000) and Deposit Records (manual 001): list, export, detail.</summary>
public static class CryptoRecordsApi
{
    public static void MapCryptoRecordsApi(this IEndpointRouteBuilder app)
    {
        foreach (var kind in new[] { CryptoRecordKind.Withdrawals, CryptoRecordKind.Deposits })
        {
            var group = app.MapGroup($"/api/crypto/{kind.Route}").WithTags("Crypto records").ProducesProblems(400, 401, 403);
            group.MapGet("/", (HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct) => QueryCryptoRecords.ListAsync(kind, http, db, reads, ct))
                .WithName($"listCrypto{Name(kind)}").WithSummary($"List crypto {kind.Route}");
            group.MapGet("/export", (HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct) => QueryCryptoRecords.ExportAsync(kind, http, db, reads, ct))
                .WithName($"exportCrypto{Name(kind)}").WithSummary($"Export crypto {kind.Route} as CSV").Produces<string>(200, "text/csv");
            group.MapGet("/{id}", (string id, HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct) => GetCryptoRecord.HandleAsync(kind, id, http, db, reads, ct))
                .WithName($"getCrypto{Name(kind)[..^1]}").WithSummary($"Get a crypto {kind.Route[..^1]}").ProducesProblems(404);
        }
    }

    private static string Name(CryptoRecordKind kind) => kind.IsDeposit ? "Deposits" : "Withdrawals";
}
