using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

public sealed record SandboxAccountRequest(string? Currency, decimal? Balance);

public sealed record SandboxEntryRequest(string? EntryId, DateOnly? BookingDate, decimal? Amount, string? Currency, bool? IsDebit, string? Reference,
    string? CounterpartyAccount, string? Description);

public sealed record SandboxAccountView(string ChannelId, string? Currency, decimal? Balance, IReadOnlyList<BankPayout> Payouts);

/// <summary>
/// The sandbox bank's own routes (Sandbox mode only; the <c>sandbox</c> right): set a paying account's balance, book a
/// statement line by hand (a fee, a credit, a debit the system did not make), and see what the bank paid.
/// </summary>
public static class SandboxBankRoutes
{
    public static void Map(RouteGroupBuilder group)
    {
        // Only where the database sandbox is the bank: in Real mode these routes do not exist.
        if (((IEndpointRouteBuilder)group).ServiceProvider.GetService<DatabaseBankSandbox>() is null) return;
        var sandbox = group.MapGroup("/sandbox/bank/accounts").RequireAuthorization(Policies.Sandbox).ProducesProblems(400, 401, 403, 404, 422);
        sandbox.MapGet("/{channelId}", Get).WithName("getSandboxBankAccount").WithSummary("Sandbox: get the simulated bank account of a channel");
        sandbox.MapPut("/{channelId}", Put).WithName("putSandboxBankAccount").WithSummary("Sandbox: set the simulated bank account of a channel");
        sandbox.MapPost("/{channelId}/entries", AddEntry).WithName("addSandboxBankEntry").WithSummary("Sandbox: add an entry to the simulated bank statement");
    }

    private static async Task<Ok<SandboxAccountView>> Get(string channelId, DatabaseBankSandbox bank, FiatDbContext db, CancellationToken ct)
    {
        var currency = await db.Set<SandboxBankAccount>().AsNoTracking().Where(a => a.ChannelId == channelId).Select(a => a.Currency).FirstOrDefaultAsync(ct);
        var balance = await bank.GetAvailableBalanceAsync(channelId, ct);
        var payouts = bank.Payouts.Where(p => p.ChannelId == channelId).ToList();
        if (currency is null && payouts.Count == 0) throw ApiProblemException.NotFound($"No sandbox bank account for channel '{channelId}'.");
        return TypedResults.Ok(new SandboxAccountView(channelId, currency, balance, payouts));
    }

    private static async Task<Ok<SandboxAccountView>> Put(string channelId, SandboxAccountRequest? request, DatabaseBankSandbox bank, FiatDbContext db, CancellationToken ct)
    {
        Require.Text(channelId, "channelId", 100);
        var currency = Currency(request?.Currency);
        if (request!.Balance is < 0 or > 1_000_000_000_000m) throw ApiProblemException.Invalid("balance", "balance is between 0 and 10^12, or null for a bank without balance inquiry.");
        await bank.SetBalanceAsync(channelId, currency, request.Balance, ct);
        return await Get(channelId, bank, db, ct);
    }

    private static async Task<Created<BankStatementEntry>> AddEntry(string channelId, SandboxEntryRequest? request, DatabaseBankSandbox bank, FiatDbContext db, CancellationToken ct)
    {
        var entryId = Require.Text(request?.EntryId, "entryId", 140);
        var currency = Currency(request!.Currency);
        if (request.BookingDate is not { } day) throw ApiProblemException.Invalid("bookingDate", "bookingDate (yyyy-MM-dd) is required.");
        if (request.Amount is not { } amount || amount == 0 || Math.Abs(amount) > 1_000_000_000_000m || !Currencies.FitsScale(amount, Currencies.MinorUnits(currency)!.Value))
        {
            throw ApiProblemException.Invalid("amount", $"amount is a non-zero amount with at most the decimals of {currency}.");
        }
        if (await db.Set<SandboxBankEntry>().AnyAsync(e => e.ChannelId == channelId && e.EntryId == entryId, ct))
        {
            throw ApiProblemException.Conflict($"Entry {entryId} is already booked on {channelId}.");
        }
        var entry = new BankStatementEntry(entryId, day, amount, currency, request.IsDebit ?? amount < 0,
            Require.OptionalText(request.Reference, "reference", 140), Require.OptionalText(request.CounterpartyAccount, "counterpartyAccount", 140),
            Require.OptionalText(request.Description, "description", 400));
        await bank.AddEntryAsync(channelId, entry, ct);
        return TypedResults.Created($"/api/fiat/sandbox/bank/accounts/{channelId}", entry);
    }

    private static string Currency(string? currency) =>
        currency is not null && !Currencies.IsCoin(currency) && Currencies.MinorUnits(currency) is not null
            ? currency
            : throw ApiProblemException.Invalid("currency", "currency is an ISO 4217 code such as HKD.");
}
