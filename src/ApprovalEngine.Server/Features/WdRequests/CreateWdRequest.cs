using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <param name="CorrelationId">Extension: the client area's request id; a repeat returns the existing request (200).</param>
public sealed record CreateWdRequestBody(string? CustomerId, string? TradingAccount, decimal? RequestedAmount, string? Currency, string? Comment, string? CorrelationId = null);

/// <summary>
/// POST /api/wd-requests: validates the input, reads the account through the ledger, checks the amount against the
/// available amount (WithdrawalRequest settings; the customer's open requests from wd_requests) and starts wd-request.
/// </summary>
public static class CreateWdRequest
{
    public const int MaxCommentLength = 2000;

    /// <summary>Computed here from the ledger and the open requests, never taken from the caller (ADR 7).</summary>
    private static readonly IReadOnlySet<string> DomainInputs = new HashSet<string>(StringComparer.Ordinal) { WdVariables.AvailableAmount };

    public static async Task<Results<Created<WdCard>, Ok<WdCard>>> Handle(
        CreateWdRequestBody? body, HttpContext http, ILedger ledger, WdCards cards, WdSettings settings, InstanceStarter starter, CancellationToken ct)
    {
        // A right for people and systems alike: an API key without it creates nothing.
        if (!http.User.HasRight(Rights.CreateWdRequests)) throw ApiProblemException.Forbidden("Creating WD requests needs the right wd:create.");
        if (body is null) throw ApiProblemException.Invalid("body", "The WD request is required.");

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var customerId = body.CustomerId?.Trim();
        var account = body.TradingAccount?.Trim();
        var currency = body.Currency?.Trim();
        if (string.IsNullOrEmpty(customerId) || customerId.Length > 100) errors["customerId"] = ["customerId is required (at most 100 characters)."];
        if (string.IsNullOrEmpty(account) || account.Length > 64) errors["tradingAccount"] = ["tradingAccount is required (at most 64 characters)."];
        if (string.IsNullOrEmpty(currency) || !Workflows.Definitions.Currencies.IsKnown(currency)) errors["currency"] = ["currency must be an ISO 4217 code such as USD (or a supported coin such as BTC)."];
        if (body.RequestedAmount is not { } amount) errors["requestedAmount"] = ["requestedAmount is required."];
        else if (currency is not null && WdCurrencies.CheckAmount(amount, currency) is { } bad) errors["requestedAmount"] = [bad];
        if (string.IsNullOrWhiteSpace(body.Comment)) errors["comment"] = ["A comment is required."];
        else if (body.Comment.Length > MaxCommentLength) errors["comment"] = [$"The comment is longer than {MaxCommentLength} characters."];
        if (body.CorrelationId is { Length: > 200 }) errors["correlationId"] = ["correlationId is longer than 200 characters."];
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors);

        var facts = await ledger.GetAccountAsync(account!, ct)
            ?? throw ApiProblemException.Invalid("tradingAccount", $"The trading account '{account}' does not exist on the trading platform.");
        if (facts.CustomerId != customerId) throw ApiProblemException.Invalid("tradingAccount", $"The trading account '{account}' does not belong to customer '{customerId}'.");
        if (!string.Equals(facts.Currency, currency, StringComparison.Ordinal)) throw ApiProblemException.Invalid("currency", $"The trading account '{account}' is in {facts.Currency}, not {currency}.");

        var paymentType = WdPaymentTypes.FromLastDeposit(await ledger.GetLastDepositMethodAsync(account!, ct));
        var open = await cards.SumOfOpenRequestsAsync(customerId!, null, ct);
        var available = WdAmounts.Available(facts, open, settings);
        var check = WdAmounts.ValidateNewRequest(body.RequestedAmount!.Value, available, currency!, body.Comment);
        if (check.Count > 0) throw ApiProblemException.Invalid(check);

        var input = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [WdVariables.CustomerId] = customerId,
            [WdVariables.TradingAccount] = account,
            [WdVariables.RequestedAmount] = body.RequestedAmount.Value,
            [WdVariables.Currency] = currency,
            [WdVariables.Comment] = body.Comment!.Trim(),
            [WdVariables.AvailableAmount] = available,
            // The manual's rule: the withdrawal goes back the way the last deposit came in (Backoffice may change it).
            [WdVariables.PaymentType] = paymentType.ToString(),
        };
        // The check above gives a quick answer; this one decides. Under a per-customer lock inside the start's
        // transaction, so two requests created at the same moment cannot both spend the same available amount.
        var openStatuses = WdStatuses.Open.ToList();
        async Task RecheckUnderLock(Persistence.EfWorkflowUnitOfWork unit, CancellationToken token)
        {
            await WdCreationLock.AcquireAsync(unit.Db, customerId!, token);
            var openNow = WdAmounts.SumOfOpenRequests((await unit.Db.WdRequests.AsNoTracking()
                    .Where(r => r.CustomerId == customerId && openStatuses.Contains(r.Status))
                    .Select(r => new { r.Status, r.RequestedAmount }).ToListAsync(token))
                .Select(r => new WdRequestAmount(r.Status, r.RequestedAmount)));
            var recheck = WdAmounts.ValidateNewRequest(body.RequestedAmount!.Value, WdAmounts.Available(facts, openNow, settings), currency!, body.Comment);
            if (recheck.Count > 0) throw ApiProblemException.Invalid(recheck);
        }

        using var local = await WdCreationLock.LocalAsync(customerId!, ct);
        var (started, created) = await starter.StartAsync(WdVariables.DefinitionId, body.CorrelationId, input, http.ToActor(), StartRoute.Domain(WdModule.CreateRoute), ct, RecheckUnderLock,
            domainInputs: DomainInputs);
        var card = await cards.LoadAsync(started.Id, http.ToActor(), ct);
        return created ? TypedResults.Created($"/api/wd-requests/{started.Id}", card) : TypedResults.Ok(card);
    }
}

/// <summary>
/// Serialises WD creation per customer: in-process (SQLite has one writer but reads are not locked) and, on PostgreSQL,
/// across servers with a transaction-scoped advisory lock.
/// </summary>
internal static class WdCreationLock
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static async Task<IDisposable> LocalAsync(string customerId, CancellationToken ct)
    {
        var gate = Gates.GetOrAdd(customerId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Release(gate);
    }

    public static async Task AcquireAsync(Persistence.ApprovalDbContext db, string customerId, CancellationToken ct)
    {
        if (db.IsSqlite) return;
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"wd-create:" + customerId}, 0))", ct);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
