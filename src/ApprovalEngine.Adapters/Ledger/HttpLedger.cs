using System.Globalization;
using System.Net;
using ApprovalEngine.Adapters.Http;

namespace ApprovalEngine.Adapters.Ledger;

/// <summary>
/// The trading platform over its REST contract (docs/adapters/ledger.md), through the signed, resilient client the kit
/// registers (<see cref="HttpAdapterRegistration.AddSignedHttpAdapter"/>). Reads are GETs (retried on transient
/// failures); a balance operation is a POST with <c>Idempotency-Key</c> (retried too: the platform answers a key it has
/// seen with its first operation, so a lost response is recovered by asking again, never by paying twice). Documented
/// refusals become <see cref="BalanceOperationResult.Refused"/>; anything else that is not an answer throws
/// (<see cref="ServiceUnavailableException"/>): the outcome is unknown and the step is retried with the same key.
/// </summary>
public sealed class HttpLedger(HttpClient client) : ILedger
{
    /// <summary>The name of the kit's client and of the adapter in configuration (<c>Adapters:Ledger=Http</c>).</summary>
    public const string ClientName = "ledger";

    private const string Service = "The trading platform";

    /// <summary>Problem codes of a refused balance operation, as the contract names them.</summary>
    public static readonly IReadOnlyDictionary<string, BalanceOperationRefusal> RefusalCodes = new Dictionary<string, BalanceOperationRefusal>(StringComparer.Ordinal)
    {
        ["insufficient-balance"] = BalanceOperationRefusal.InsufficientBalance,
        ["unknown-account"] = BalanceOperationRefusal.UnknownAccount,
        ["currency-mismatch"] = BalanceOperationRefusal.CurrencyMismatch,
        ["key-conflict"] = BalanceOperationRefusal.KeyConflict,
        ["invalid-request"] = BalanceOperationRefusal.InvalidRequest,
    };

    public async Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(account);
        using var request = ServiceCalls.Request(HttpMethod.Get, $"accounts/{ServiceCalls.Segment(account)}");
        using var response = await ServiceCalls.SendAsync(client, request, Service, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var a = await ServiceCalls.ReadAsync<AccountWire>(response, Service, cancellationToken);
            if (a.Account != account || a.CustomerId is null || a.Currency is null) throw new ServiceUnavailableException($"{Service} answered for another account or without its customer and currency.");
            return new TradingAccount(a.Account, a.CustomerId, a.Currency, a.Balance, a.Equity, a.Margin, a.FreeMargin, a.Credit, a.OpenTrades);
        }
        return await NotFoundOrRefusedAsync<TradingAccount>(response, cancellationToken);
    }

    public async Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(account);
        using var request = ServiceCalls.Request(HttpMethod.Get, $"accounts/{ServiceCalls.Segment(account)}/last-deposit");
        using var response = await ServiceCalls.SendAsync(client, request, Service, cancellationToken);
        if (response.IsSuccessStatusCode) return (await ServiceCalls.ReadAsync<LastDepositWire>(response, Service, cancellationToken)).Method;
        // An account the platform does not know has no last deposit either (as the sandbox answers).
        return await NotFoundOrRefusedAsync<string>(response, cancellationToken);
    }

    public async Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Refused here as the platform would: a call without a key could never be retried safely.
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) return BalanceOperationResult.Refused(BalanceOperationRefusal.InvalidRequest, "A balance operation needs an idempotency key.");
        if (request.Amount == 0) return BalanceOperationResult.Refused(BalanceOperationRefusal.InvalidRequest, "A balance operation needs a non-zero amount.");
        var body = new OperationRequestWire(request.Account, Amount(request.Amount), request.Currency, request.Comment);
        using var message = ServiceCalls.Request(HttpMethod.Post, "balance-operations", body, request.IdempotencyKey);
        using var response = await ServiceCalls.SendAsync(client, message, Service, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var o = await ServiceCalls.ReadAsync<OperationWire>(response, Service, cancellationToken);
            // The platform's answer must be the operation asked for; anything else is a fault, not a success to book.
            if (o.IdempotencyKey != request.IdempotencyKey || o.Account != request.Account || o.Amount != request.Amount || o.Currency != request.Currency)
            {
                throw new ServiceUnavailableException($"{Service} answered balance operation {request.IdempotencyKey} with another operation ({o.IdempotencyKey}, {o.Account}, {o.Amount} {o.Currency}).");
            }
            return BalanceOperationResult.Applied(new BalanceOperation(o.TradeId, o.Account, o.Amount, o.Currency, o.Comment ?? request.Comment, o.IdempotencyKey, o.CreatedAt));
        }
        var problem = await ServiceCalls.ProblemAsync(response, cancellationToken);
        if (!ServiceCalls.IsOurConfiguration(response.StatusCode) && problem.Code is { } code && RefusalCodes.TryGetValue(code, out var refusal))
        {
            return BalanceOperationResult.Refused(refusal, problem.Detail ?? code);
        }
        // An undocumented 4xx says nothing certain about the operation: unknown, retried later with the same key.
        throw new ServiceUnavailableException(problem.Describe(Service), null, response.StatusCode);
    }

    private static async Task<T?> NotFoundOrRefusedAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) where T : class
    {
        var problem = await ServiceCalls.ProblemAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && problem.Code == "unknown-account") return null;
        if (ServiceCalls.IsOurConfiguration(response.StatusCode)) throw new ServiceUnavailableException(problem.Describe(Service), null, response.StatusCode);
        throw new LedgerRejectedException(problem.Describe(Service));
    }

    /// <summary>Invariant decimal text, as the contract wants money: "-97.50", never a binary floating-point number.</summary>
    public static string Amount(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record AccountWire(string Account, string? CustomerId, string? Currency, decimal Balance, decimal Equity, decimal Margin, decimal FreeMargin, decimal Credit, int OpenTrades);

    private sealed record LastDepositWire(string? Method);

    private sealed record OperationRequestWire(string Account, string Amount, string Currency, string Comment);

    private sealed record OperationWire(long TradeId, string Account, decimal Amount, string Currency, string? Comment, string IdempotencyKey, DateTimeOffset CreatedAt);
}
