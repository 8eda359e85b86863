using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Sandbox;

/// <param name="LastDepositMethod">Extension: how the last deposit came in (CreditCard, WireTransfer, SettlementCreditCard, SettlementWireTransfer); omitted = unchanged.</param>
public sealed record TradingAccountRequest(string? CustomerId, string? Currency, decimal? Balance, decimal? Equity, decimal? Margin, decimal? FreeMargin, decimal? Credit, int? OpenTrades, string? LastDepositMethod = null);

public sealed record BalanceOperationView(Guid Id, decimal Amount, string Currency, string? Comment, string IdempotencyKey, DateTimeOffset CreatedAt);

public sealed record TradingAccountView(string Account, string CustomerId, string Currency, decimal Balance, decimal Equity, decimal Margin, decimal FreeMargin, decimal Credit, int OpenTrades, DateTimeOffset UpdatedAt, IReadOnlyList<BalanceOperationView> Operations, string? LastDepositMethod = null);

/// <summary>The in-process trading platform behind the ledger adapter (Development only).</summary>
public static class SandboxApi
{
    public static void MapSandboxApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sandbox/trading-accounts").WithTags("Sandbox").RequireAuthorization(Policies.Sandbox).ProducesProblems(400, 401, 403, 404, 422);
        group.MapPut("/{account}", Put).WithName("putSandboxTradingAccount").WithSummary("Sandbox: set a simulated trading account");
        group.MapGet("/{account}", Get).WithName("getSandboxTradingAccount").WithSummary("Sandbox: get a simulated trading account");
    }

    private static async Task<Ok<TradingAccountView>> Put(string account, TradingAccountRequest? request, ApprovalDbContext db, TimeProvider clock, CancellationToken ct)
    {
        Require.Text(account, "account", 64);
        if (request is null) throw ApiProblemException.Invalid("body", "The account data is required.");
        var errors = new Dictionary<string, string[]>();
        var customer = request.CustomerId;
        if (string.IsNullOrWhiteSpace(customer) || customer.Length > 100) errors["customerId"] = ["customerId is required (at most 100 characters)."];
        if (request.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper)) errors["currency"] = ["currency must be an ISO 4217 code such as USD."];
        foreach (var (name, value) in new[] { ("balance", request.Balance), ("equity", request.Equity), ("margin", request.Margin), ("freeMargin", request.FreeMargin), ("credit", request.Credit) })
        {
            if (value is null) errors[name] = [$"{name} is required."];
            else if (Math.Abs(value.Value) > 1_000_000_000_000m) errors[name] = [$"{name} is out of range."];
            else if (name is "margin" or "credit" && value < 0) errors[name] = [$"{name} cannot be negative."];
        }
        if (request.OpenTrades is null or < 0) errors["openTrades"] = ["openTrades must be 0 or more."];
        if (request.LastDepositMethod is { } method && !Flows.Wd.WdPaymentTypes.IsDepositMethod(method))
        {
            errors["lastDepositMethod"] = [$"lastDepositMethod must be one of {string.Join(", ", Flows.Wd.WdPaymentTypes.DepositMethods)}."];
        }
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors);
        var row = await db.TradingAccounts.FirstOrDefaultAsync(a => a.Account == account, ct);
        if (row is null)
        {
            row = new TradingAccountRecord { Account = account, CustomerId = customer!, Currency = request.Currency! };
            db.TradingAccounts.Add(row);
        }
        row.CustomerId = customer!;
        row.Currency = request.Currency!;
        row.Balance = request.Balance!.Value;
        row.Equity = request.Equity!.Value;
        row.Margin = request.Margin!.Value;
        row.FreeMargin = request.FreeMargin!.Value;
        row.Credit = request.Credit!.Value;
        row.OpenTrades = request.OpenTrades!.Value;
        row.UpdatedAt = clock.GetUtcNow();
        if (request.LastDepositMethod is { } deposit)
        {
            var known = await db.DepositMethods.FirstOrDefaultAsync(d => d.Account == account, ct);
            if (known is null) db.DepositMethods.Add(new DepositMethodRecord { Account = account, Method = deposit, UpdatedAt = row.UpdatedAt });
            else
            {
                known.Method = deposit;
                known.UpdatedAt = row.UpdatedAt;
            }
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await ViewAsync(db, row, ct));
    }

    private static async Task<Ok<TradingAccountView>> Get(string account, ApprovalDbContext db, CancellationToken ct)
    {
        var row = await db.TradingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Account == account, ct)
            ?? throw ApiProblemException.NotFound($"No sandbox trading account '{account}'.");
        return TypedResults.Ok(await ViewAsync(db, row, ct));
    }

    private static async Task<TradingAccountView> ViewAsync(ApprovalDbContext db, TradingAccountRecord row, CancellationToken ct)
    {
        var operations = await db.BalanceOperations.AsNoTracking().Where(o => o.Account == row.Account).ToListAsync(ct);
        var deposit = await db.DepositMethods.AsNoTracking().Where(d => d.Account == row.Account).Select(d => d.Method).FirstOrDefaultAsync(ct);
        return new TradingAccountView(row.Account, row.CustomerId, row.Currency, row.Balance, row.Equity, row.Margin, row.FreeMargin, row.Credit, row.OpenTrades, row.UpdatedAt,
            [.. operations.OrderBy(o => o.CreatedAt).Select(o => new BalanceOperationView(o.Id, o.Amount, o.Currency, o.Comment, o.IdempotencyKey, o.CreatedAt))], deposit);
    }
}
