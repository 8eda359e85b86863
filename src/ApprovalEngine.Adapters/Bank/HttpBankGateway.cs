using System.Globalization;
using System.Net;
using ApprovalEngine.Adapters.Http;

namespace ApprovalEngine.Adapters.Bank;

/// <summary>
/// The bank payout gateway over its REST contract (docs/adapters/bank.md), through the kit's signed, resilient client.
/// Payouts, bank files and call-offs carry an <c>Idempotency-Key</c> (the job's key), so the kit retries them and a
/// lost response is answered, on the next try, with the first payout: money leaves once. Documented refusals are
/// <see cref="BankRejectedException"/> (the Refused outcome); anything else that is not an answer throws
/// <see cref="ServiceUnavailableException"/> (unknown: the engine retries the step with the same key). Results of
/// payouts come later as signed webhooks (<c>POST /api/hooks/bank/results</c>), not from these calls.
/// </summary>
public sealed class HttpBankGateway(HttpClient client) : IBankGateway, ICancellablePayouts
{
    /// <summary>The name of the kit's client (<c>Adapters:Http:Bank</c>).</summary>
    public const string ClientName = "bank";

    /// <summary>Statement pages followed at most, so a service that always answers "next" cannot keep us forever.</summary>
    public const int MaxStatementPages = 100;

    private const string Service = "The bank";

    /// <summary>Problem codes with which the bank refuses a payout or a file; retrying the same request will not help.</summary>
    public static readonly IReadOnlySet<string> RefusalCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "insufficient-funds", "unknown-channel", "currency-mismatch", "invalid-request", "key-conflict", "called-off", "beneficiary-rejected",
    };

    public async Task<decimal?> GetAvailableBalanceAsync(string channelId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        using var request = ServiceCalls.Request(HttpMethod.Get, $"channels/{ServiceCalls.Segment(channelId)}/balance");
        using var response = await ServiceCalls.SendAsync(client, request, Service, cancellationToken);
        if (response.IsSuccessStatusCode) return (await ServiceCalls.ReadAsync<BalanceWire>(response, Service, cancellationToken)).Available;
        var problem = await ServiceCalls.ProblemAsync(response, cancellationToken);
        // A channel the bank has no account or no balance inquiry for: no balance known (the checks then skip it).
        if (response.StatusCode == HttpStatusCode.NotFound && problem.Code == "unknown-channel") return null;
        throw new ServiceUnavailableException(problem.Describe(Service), null, response.StatusCode);
    }

    public async Task<BankPayout> PayAsync(PayoutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BankRejectedException("A payout needs an idempotency key.");
        var body = new PayoutRequestWire(request.ChannelId, request.BeneficiaryAccount, Amount(request.Amount), request.Currency, request.Reference);
        using var message = ServiceCalls.Request(HttpMethod.Post, "payouts", body, request.IdempotencyKey);
        using var response = await ServiceCalls.SendAsync(client, message, Service, cancellationToken);
        if (!response.IsSuccessStatusCode) throw await RefusedAsync(response, cancellationToken);
        var p = await ServiceCalls.ReadAsync<PayoutWire>(response, Service, cancellationToken);
        if (p.IdempotencyKey != request.IdempotencyKey || p.Amount != request.Amount || p.Currency != request.Currency || string.IsNullOrEmpty(p.BankReference))
        {
            throw new ServiceUnavailableException($"{Service} answered payout {request.IdempotencyKey} with another payout ({p.IdempotencyKey}, {p.Amount} {p.Currency}).");
        }
        return new BankPayout(p.BankReference, p.ChannelId ?? request.ChannelId, p.BeneficiaryAccount ?? request.BeneficiaryAccount, p.Amount, p.Currency,
            p.Reference ?? request.Reference, p.IdempotencyKey, p.SubmittedAt);
    }

    public async Task<BankFileReceipt> SubmitFileAsync(BankFileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BankRejectedException("A bank file needs an idempotency key.");
        var body = new FileRequestWire(request.ChannelId, request.Currency, request.FileId, request.Format, request.Content,
            [.. request.Transfers.Select(t => new TransferWire(t.Reference, t.BeneficiaryAccount, t.BeneficiaryName, t.BeneficiaryBank, Amount(t.Amount)))]);
        using var message = ServiceCalls.Request(HttpMethod.Post, "files", body, request.IdempotencyKey);
        using var response = await ServiceCalls.SendAsync(client, message, Service, cancellationToken);
        if (!response.IsSuccessStatusCode) throw await RefusedAsync(response, cancellationToken);
        var r = await ServiceCalls.ReadAsync<ReceiptWire>(response, Service, cancellationToken);
        if (r.FileId != request.FileId || string.IsNullOrEmpty(r.BankReference)) throw new ServiceUnavailableException($"{Service} answered file {request.FileId} with a receipt for {r.FileId}.");
        return new BankFileReceipt(r.BankReference, r.FileId, r.Transfers, r.Total, r.SubmittedAt);
    }

    public async Task<IReadOnlyList<BankStatementEntry>> GetStatementAsync(string channelId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        var entries = new List<BankStatementEntry>();
        string? cursor = null;
        for (var page = 0; page < MaxStatementPages; page++)
        {
            var query = $"from={from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&to={to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
                + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            using var request = ServiceCalls.Request(HttpMethod.Get, $"channels/{ServiceCalls.Segment(channelId)}/statement?{query}");
            using var response = await ServiceCalls.SendAsync(client, request, Service, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var problem = await ServiceCalls.ProblemAsync(response, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound && problem.Code == "unknown-channel") return [];
                throw new ServiceUnavailableException(problem.Describe(Service), null, response.StatusCode);
            }
            var statement = await ServiceCalls.ReadAsync<StatementWire>(response, Service, cancellationToken);
            entries.AddRange((statement.Entries ?? []).Select(e => new BankStatementEntry(e.EntryId, e.BookingDate, e.Amount, e.Currency, e.IsDebit, e.Reference, e.CounterpartyAccount, e.Description)));
            if (string.IsNullOrEmpty(statement.Next)) return entries;
            cursor = statement.Next;
        }
        throw new ServiceUnavailableException($"{Service} answered more than {MaxStatementPages} statement pages for {channelId} {from}–{to}.");
    }

    public async Task<bool> TryCancelPayoutAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        // A key of its own (the payout's key belongs to the payout's body), so the kit may retry the call-off too.
        using var message = ServiceCalls.Request(HttpMethod.Post, "payouts/cancel", new CancelWire(idempotencyKey), $"cancel:{idempotencyKey}");
        using var response = await ServiceCalls.SendAsync(client, message, Service, cancellationToken);
        if (response.IsSuccessStatusCode) return (await ServiceCalls.ReadAsync<CancelledWire>(response, Service, cancellationToken)).Cancelled;
        throw new ServiceUnavailableException((await ServiceCalls.ProblemAsync(response, cancellationToken)).Describe(Service), null, response.StatusCode);
    }

    /// <summary>A documented refusal is final (<see cref="BankRejectedException"/>); anything else leaves the outcome unknown.</summary>
    private static async Task<Exception> RefusedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var problem = await ServiceCalls.ProblemAsync(response, cancellationToken);
        if (!ServiceCalls.IsOurConfiguration(response.StatusCode) && problem.Code is { } code && RefusalCodes.Contains(code))
        {
            return new BankRejectedException(problem.Detail ?? code);
        }
        return new ServiceUnavailableException(problem.Describe(Service), null, response.StatusCode);
    }

    private static string Amount(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record BalanceWire(string? ChannelId, string? Currency, decimal? Available);

    private sealed record PayoutRequestWire(string ChannelId, string BeneficiaryAccount, string Amount, string Currency, string Reference);

    private sealed record PayoutWire(string BankReference, string? ChannelId, string? BeneficiaryAccount, decimal Amount, string Currency, string? Reference, string IdempotencyKey, DateTimeOffset SubmittedAt);

    private sealed record TransferWire(string Reference, string BeneficiaryAccount, string BeneficiaryName, string? BeneficiaryBank, string Amount);

    private sealed record FileRequestWire(string ChannelId, string Currency, string FileId, string Format, string Content, IReadOnlyList<TransferWire> Transfers);

    private sealed record ReceiptWire(string BankReference, string FileId, int Transfers, decimal Total, DateTimeOffset SubmittedAt);

    private sealed record EntryWire(string EntryId, DateOnly BookingDate, decimal Amount, string Currency, bool IsDebit, string? Reference, string? CounterpartyAccount, string? Description);

    private sealed record StatementWire(IReadOnlyList<EntryWire>? Entries, string? Next);

    private sealed record CancelWire(string IdempotencyKey);

    private sealed record CancelledWire(bool Cancelled);
}
